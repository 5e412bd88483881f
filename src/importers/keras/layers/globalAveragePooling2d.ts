/** keras.layers.GlobalAveragePooling2D: one window over the whole map; [C] out ([1, 1, C] with keepdims). */
import { booleanFlag, channelsLast, spatialInput } from './common.ts';
import { poolToIr } from './pooling.ts';
import type { LayerHandler, LayerSpec, PoolSpec } from './types.ts';

export const globalAveragePooling2dHandler: LayerHandler = {
  className: 'GlobalAveragePooling2D',
  parse(ctx): PoolSpec {
    channelsLast(ctx);
    const [h, w, c] = spatialInput(ctx);
    const keep = booleanFlag(ctx, 'keepdims', false);
    return { kind: 'avgpool', name: ctx.layer.name, className: ctx.layer.className, inShape: [h, w, c], outShape: keep ? [1, 1, c] : [c], pool: [h, w], strides: [h, w] };
  },
  toIr: (spec: LayerSpec) => poolToIr(spec as PoolSpec),
};
