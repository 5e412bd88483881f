/** keras.layers.MaxPooling2D (alias MaxPool2D): no padding, floor mode. */
import { parsePool, poolToIr } from './pooling.ts';
import type { LayerHandler, LayerSpec, PoolSpec } from './types.ts';

export const maxPooling2dHandler: LayerHandler = {
  className: 'MaxPooling2D',
  parse: (ctx) => parsePool(ctx, 'maxpool'),
  toIr: (spec: LayerSpec) => poolToIr(spec as PoolSpec),
};
