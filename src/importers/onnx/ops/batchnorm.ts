/**
 * BatchNormalization (inference), evaluated in float32 exactly as onnxruntime's
 * CPU kernel (onnxruntime/core/providers/cpu/nn/batch_norm.h, BatchNorm<float>::Compute):
 *   inv_std   = (var + epsilon).sqrt().inverse()     two roundings: sqrt, then 1/x
 *   new_scale = inv_std * scale                       (scale = gamma)
 *   new_bias  = B - mean * new_scale
 *   Y         = X * new_scale + new_bias              one rounding per operation
 * (not gamma / sqrt(var + eps), which rounds once and differs on about a fifth of
 * random channels by one ulp of the scale). The folded thresholds reproduce this
 * for every accumulator value; test/passes/thresholds.test.ts checks it against
 * an independent oracle and test/verify/bnOrder.test.ts against onnxruntime.
 */
import { floatAttr, intAttr, nodeError, perChannelToFeatures, requireFinite } from '../common.ts';
import type { NodeInfo, OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';
import { numel } from '../tensor.ts';

const f32 = Math.fround;

/** Per-channel float32 scale and bias of the normalisation. */
export function batchNormCoefficients(info: NodeInfo, params: ConstTensor[]): { scale: Float32Array; bias: Float32Array } {
  const [gamma, beta, mean, variance] = params;
  const eps = floatAttr(info, 'epsilon', 1e-5);
  const channels = gamma.data.length;
  for (const [what, t] of [['scale', gamma], ['B', beta], ['mean', mean], ['var', variance]] as const) {
    requireFinite(info, t, `the ${what} parameter`);
    if (t.data.length !== channels) throw nodeError(info, `${what} has ${t.data.length} values`, `${channels} values (one per channel)`);
  }
  const scale = new Float32Array(channels);
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const denom = f32(Math.sqrt(f32(variance.data[c] + f32(eps))));
    if (!(denom > 0)) {
      throw nodeError(info, `channel ${c}: var + epsilon = ${variance.data[c] + eps} is not positive`, 'a positive variance',
        'the batch-norm statistics are broken; re-export the trained model');
    }
    const invStd = f32(1 / denom);
    scale[c] = f32(invStd * gamma.data[c]);
    bias[c] = f32(beta.data[c] - f32(mean.data[c] * scale[c]));
  }
  return { scale, bias };
}

export const batchNormalization: OpHandler = {
  opType: 'BatchNormalization',
  domain: '',
  requiredInputs: 5,
  evaluate: (ctx) => {
    const x = ctx.inputs[0]!;
    if (intAttr(ctx, 'spatial', 1) === 0) throw nodeError(ctx, 'spatial = 0 (statistics per element)', 'spatial = 1 (statistics per channel)');
    if (intAttr(ctx, 'training_mode', 0) !== 0) {
      throw nodeError(ctx, 'training_mode = 1 (normalizes with the statistics of the batch)', 'training_mode = 0 (inference)');
    }
    const { scale, bias } = batchNormCoefficients(ctx, ctx.inputs.slice(1, 5) as ConstTensor[]);
    const spatial = numel(x.dims.slice(2));
    const channels = x.dims[1] ?? 1;
    if (scale.length !== channels) throw nodeError(ctx, `${scale.length} channels of statistics for an input of shape [${x.dims}]`, `${channels} channels`);
    const data = new Float64Array(x.data.length);
    for (let i = 0; i < data.length; i++) {
      const c = Math.floor(i / spatial) % channels;
      data[i] = f32(f32(x.data[i] * scale[c]) + bias[c]);
    }
    return [{ dims: [...x.dims], data, isFloat: true }];
  },
  lower: (ctx) => {
    const params = ctx.consts.slice(1, 5);
    if (params.some((p) => !p)) throw nodeError(ctx, 'statistics are not constant', 'constant scale, B, mean and var');
    const { scale, bias } = batchNormCoefficients(ctx, params as ConstTensor[]);
    if ((ctx.shape[1] ?? 1) !== scale.length) {
      throw nodeError(ctx, `${scale.length} channels of statistics for an activation of shape [${ctx.shape}]`, `${ctx.shape[1]} channels`);
    }
    const features = numel(ctx.shape.slice(1));
    const steps = [
      { op: 'mul' as const, value: perChannelToFeatures(ctx, scale) },
      { op: 'add' as const, value: perChannelToFeatures(ctx, bias) },
    ];
    return { layers: [{ kind: 'affine', name: ctx.label, sources: [ctx.label], features, steps }], shape: ctx.shape };
  },
};
