/** keras.layers.AveragePooling2D (alias AvgPool2D): float32 mean of each window. */
import { parsePool, poolToIr } from './pooling.ts';
import type { LayerHandler, LayerSpec, PoolSpec } from './types.ts';

export const averagePooling2dHandler: LayerHandler = {
  className: 'AveragePooling2D',
  parse: (ctx) => parsePool(ctx, 'avgpool'),
  toIr: (spec: LayerSpec) => poolToIr(spec as PoolSpec),
};
