/** keras.layers.Flatten: channels-last order is bnnc's NHWC order, so no IR layer (and no permutation). */
import { channelsLast, count, inShape } from './common.ts';
import type { LayerHandler, ReshapeSpec } from './types.ts';

export const flattenHandler: LayerHandler = {
  className: 'Flatten',
  parse(ctx): ReshapeSpec {
    channelsLast(ctx);
    const s = inShape(ctx);
    return { kind: 'reshape', name: ctx.layer.name, className: ctx.layer.className, inShape: s, outShape: [count(s)] };
  },
  toIr: () => [],
};
