/**
 * FINN/QONNX MultiThreshold(x, thresholds): out = out_bias + out_scale * #{t : x >= thr[c][t]}
 * (qonnx/custom_op/general/multithreshold.py), c the channel of x: axis 1 for a
 * 2-D or 4-D input in the default data_layout NCHW, the last axis for a 4-D
 * input in NHWC and for any other rank.
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

/** The channel axis of a rank-`rank` input under the node's data_layout, as QONNX's execute_node reads it. */
export function multiThresholdChannelAxis(rank: number, layout: string): number {
  if (rank === 2 || rank === 4) return layout === 'NHWC' && rank === 4 ? 3 : 1;
  return rank - 1;
}

/** The node's data_layout attribute (NCHW unless it says NHWC). */
export function dataLayout(ctx: NodeInfo): string {
  const layout = ctx.attrs.get('data_layout');
  if (layout !== undefined && layout !== 'NCHW' && layout !== 'NHWC') throw nodeError(ctx, `data_layout = ${JSON.stringify(layout)}`, 'NCHW or NHWC');
  return layout ?? 'NCHW';
}

/** out_bias + out_scale * k for k = 0..steps, each rounded to float32 once: the op's possible outputs. */
export function multiThresholdLevels(ctx: NodeInfo, steps: number): Float64Array {
  const outScale = floatAttr(ctx, 'out_scale', 1);
  const outBias = floatAttr(ctx, 'out_bias', 0);
  return Float64Array.from({ length: steps + 1 }, (_, k) => Math.fround(outBias + outScale * k));
}

export const multiThreshold: OpHandler = {
  opType: 'MultiThreshold',
  domain: 'finn.custom_op.general',
  requiredInputs: 2,
  evaluate: (ctx) => {
    const [x, thr] = ctx.inputs;
    const axis = multiThresholdChannelAxis(x!.dims.length, dataLayout(ctx));
    const channels = x!.dims[axis] ?? 1;
    checkThresholds(ctx, thr!, channels);
    // Elements of one channel repeat every `inner` elements, `channels` times per block.
    const inner = x!.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const steps = thr!.dims[1];
    const perChannel = thr!.dims[0] !== 1;
    const levels = multiThresholdLevels(ctx, steps);
    const t = thr!.data;
    const data = new Float64Array(x!.data.length);
    for (let i = 0; i < data.length; i++) {
      const row = perChannel ? (Math.floor(i / inner) % channels) * steps : 0;
      const v = x!.data[i];
      let count = 0;
      for (let k = 0; k < steps; k++) if (v >= t[row + k]) count++;
      data[i] = levels[count];
    }
    return [{ dims: [...x!.dims], data, isFloat: true }];
  },
  lower: (ctx) => {
    const thr = ctx.consts[1];
    if (!thr || thr.dims.length !== 2) throw nodeError(ctx, 'thresholds are not a constant [channels, steps] matrix', 'a constant threshold matrix');
    if (dataLayout(ctx) === 'NHWC' && ctx.shape.length === 4) {
      throw nodeError(ctx, 'data_layout = NHWC on a 4-D activation', 'data_layout NCHW (the ONNX order of the graph)');
    }
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
