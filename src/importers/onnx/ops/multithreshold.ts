/**
 * FINN MultiThreshold(x, thresholds): out = out_bias + out_scale * #{t : x >= thr[c][t]}.
 * With one threshold per channel, out_scale = 2 and out_bias = -1 it is a
 * bipolar sign: +1 iff x >= thr, i.e. sign(x - thr) with sign(0) = +1. That is
 * exact in float32: x - thr rounds to a value of the same sign (0 iff x == thr).
 */
import { featuresOf, floatAttr, nodeError, perChannelToFeatures, requireFinite } from '../common.ts';
import type { NodeInfo, OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';

/** A [1 or channels, steps >= 1] matrix of finite thresholds: anything else compiles to NaN thresholds. */
function checkThresholds(ctx: NodeInfo, thr: ConstTensor, channels: number): void {
  if (thr.dims.length !== 2 || thr.dims[1] < 1 || (thr.dims[0] !== 1 && thr.dims[0] !== channels)) {
    throw nodeError(ctx, `thresholds of shape [${thr.dims}]`, `a [1, steps] or [${channels}, steps] matrix (one row per channel, steps >= 1)`);
  }
  requireFinite(ctx, thr, 'the thresholds');
}

export const multiThreshold: OpHandler = {
  opType: 'MultiThreshold',
  domain: 'finn.custom_op.general',
  requiredInputs: 2,
  evaluate: (ctx) => {
    const [x, thr] = ctx.inputs;
    checkThresholds(ctx, thr!, x!.dims[1] ?? 1);
    const outScale = floatAttr(ctx, 'out_scale', 1);
    const outBias = floatAttr(ctx, 'out_bias', 0);
    const channels = x!.dims[1] ?? 1;
    const spatial = x!.data.length / ((x!.dims[0] ?? 1) * channels);
    const steps = thr!.dims[1] ?? 1;
    const perChannel = thr!.dims[0] !== 1;
    const data = x!.data.map((v, i) => {
      const c = perChannel ? Math.floor(i / spatial) % channels : 0;
      let count = 0;
      for (let t = 0; t < steps; t++) if (v >= thr!.data[c * steps + t]) count++;
      return Math.fround(outBias + outScale * count);
    });
    return [{ dims: [...x!.dims], data, isFloat: true }];
  },
  lower: (ctx) => {
    const thr = ctx.consts[1];
    if (!thr || thr.dims.length !== 2) throw nodeError(ctx, 'thresholds are not a constant [channels, steps] matrix', 'a constant threshold matrix');
    checkThresholds(ctx, thr, ctx.shape[1] ?? 1);
    const steps = thr.dims[1];
    const outScale = floatAttr(ctx, 'out_scale', 1);
    const outBias = floatAttr(ctx, 'out_bias', 0);
    if (steps !== 1) {
      throw nodeError(ctx, `${steps} thresholds per channel (a ${steps + 1}-level activation)`, 'exactly 1 threshold per channel (a binary activation)',
        'bnnc compiles binary networks only; retrain with 1-bit activations');
    }
    if (outScale !== 2 || outBias !== -1) {
      throw nodeError(ctx, `out_scale = ${outScale}, out_bias = ${outBias} gives outputs {${outBias}, ${outBias + outScale}}`,
        'out_scale = 2 and out_bias = -1 (bipolar output {-1, +1})');
    }
    const channels = ctx.shape[1] ?? 1;
    const values = new Float32Array(channels);
    for (let c = 0; c < channels; c++) values[c] = thr.data[thr.dims[0] === 1 ? 0 : c];
    const features = featuresOf(ctx.shape);
    return {
      layers: [
        { kind: 'affine', name: `${ctx.label}.threshold`, sources: [ctx.label], features,
          steps: [{ op: 'sub', value: perChannelToFeatures(ctx, values) }] },
        { kind: 'sign', name: ctx.label, sources: [ctx.label], features, atZero: 'plus' },
      ],
      shape: ctx.shape,
    };
  },
};
