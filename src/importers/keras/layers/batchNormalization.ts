/**
 * keras.layers.BatchNormalization at inference: the moving statistics, in
 * float32, in the order TensorFlow computes it (tf.nn.batch_normalization in
 * tensorflow/python/ops/nn_impl.py, used by Keras 2's non-fused path and by
 * Keras 3's TensorFlow backend; the fused CPU kernel computes the same
 * scaling factor and offset):
 *   inv = rsqrt(variance + epsilon); inv *= gamma (if scale)
 *   y   = x * inv + (beta - mean * inv)        (beta = 0 without center)
 * Each operation is rounded to float32; rsqrt is taken correctly rounded.
 */
import type { AffineLayer, FloatLayer } from '../../../ir/types.ts';
import { booleanFlag, count, fail, inShape, requireFinite } from './common.ts';
import type { BatchNormSpec, LayerHandler, LayerSpec, ParseContext } from './types.ts';

const f32 = Math.fround;

/** Keras 2 writes axis as a list ([3]), Keras 3 as an int (-1): either must name the channel axis. */
function checkAxis(ctx: ParseContext, rank: number): void {
  const raw = ctx.layer.config.axis ?? -1;
  const axis = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
  if (axis !== -1 && axis !== rank) fail(ctx, `axis = ${JSON.stringify(raw)}`, `the channel axis (-1 or ${rank}): channels-last batch normalization`);
}

function parse(ctx: ParseContext): BatchNormSpec {
  const s = inShape(ctx);
  checkAxis(ctx, s.length);
  const channels = s[s.length - 1];
  const epsilon = ctx.layer.config.epsilon ?? 1e-3;
  if (typeof epsilon !== 'number' || !(epsilon > 0)) fail(ctx, `epsilon = ${JSON.stringify(epsilon)}`, 'a positive number (Keras\' default is 0.001)');
  const scale = booleanFlag(ctx, 'scale', true);
  const center = booleanFlag(ctx, 'center', true);
  const wanted = [
    ...(scale ? [{ name: 'gamma', shape: [channels] }] : []),
    ...(center ? [{ name: 'beta', shape: [channels] }] : []),
    { name: 'moving_mean', shape: [channels] },
    { name: 'moving_variance', shape: [channels] },
  ];
  const values = ctx.weights.read(ctx.layer, wanted, ctx.where).map((v, i) => requireFinite(ctx, v, wanted[i].name));
  const byName = new Map(wanted.map((w, i) => [w.name, values[i]]));
  return {
    kind: 'batchnorm', name: ctx.layer.name, className: ctx.layer.className, inShape: s, outShape: s, epsilon,
    gamma: byName.get('gamma') ?? null, beta: byName.get('beta') ?? null, mean: byName.get('moving_mean')!, variance: byName.get('moving_variance')!,
  };
}

/** The two float32 constants per channel of TensorFlow's formula: y = x * inv + offset. */
export function batchNormSteps(spec: BatchNormSpec): { inv: Float32Array; offset: Float32Array } {
  const eps = f32(spec.epsilon);
  const inv = spec.variance.map((v, c) => {
    const r = f32(1 / Math.sqrt(f32(v + eps)));
    return spec.gamma ? f32(r * spec.gamma[c]) : r;
  });
  const offset = spec.mean.map((m, c) => f32((spec.beta ? spec.beta[c] : 0) - f32(m * inv[c])));
  return { inv, offset };
}

export const batchNormalizationHandler: LayerHandler = {
  className: 'BatchNormalization',
  parse,
  toIr(spec: LayerSpec): FloatLayer[] {
    const bn = spec as BatchNormSpec;
    const { inv, offset } = batchNormSteps(bn);
    const layer: AffineLayer = {
      kind: 'affine', name: bn.name, sources: [bn.name], features: count(bn.outShape),
      steps: [{ op: 'mul', value: inv }, { op: 'add', value: offset }],
    };
    return [layer];
  },
};
