/**
 * keras.layers.Rescaling: y = x * scale + offset in float32 (Keras casts the
 * input to float32 first). A model that starts with it takes raw pixels; bnnc
 * folds it into the first layer like any input scaling.
 */
import type { FloatLayer } from '../../../ir/types.ts';
import { count, fail, inShape } from './common.ts';
import type { LayerHandler, LayerSpec, RescalingSpec } from './types.ts';

export const rescalingHandler: LayerHandler = {
  className: 'Rescaling',
  parse(ctx): RescalingSpec {
    const s = inShape(ctx);
    const { scale, offset = 0 } = ctx.layer.config as { scale?: unknown; offset?: unknown };
    if (typeof scale !== 'number' || !Number.isFinite(scale) || typeof offset !== 'number' || !Number.isFinite(offset)) {
      fail(ctx, `scale = ${JSON.stringify(scale)}, offset = ${JSON.stringify(offset)}`, 'one finite scale and offset for all features', 'per-channel rescaling is not supported');
    }
    return { kind: 'rescaling', name: ctx.layer.name, className: ctx.layer.className, inShape: s, outShape: s, scale, offset };
  },
  toIr(spec: LayerSpec): FloatLayer[] {
    const r = spec as RescalingSpec;
    return [{
      kind: 'affine', name: r.name, sources: [r.name], features: count(r.inShape),
      steps: [{ op: 'mul', value: Float32Array.of(r.scale) }, { op: 'add', value: Float32Array.of(r.offset) }],
    }];
  },
};
