/** conv2d_f32_b1, the first convolution on float32 input (created by passes/foldThresholds.ts), at every stage below the importer. */
import type { AffineStep, ConvGeometry, Origin, Thresholds } from '../../ir/types.ts';
import { floatSumSlack, roundingGamma } from '../../passes/referenceRounding.ts';
import type { LoweredOp } from '../types.ts';
import { convCode, convConstants, convDescribe, convOutputBytes, convShapeText, convWeightRows, featureAccumulator } from '../common/conv.ts';
import { convParamLimits } from '../common/convParams.ts';
import { chwToHwc } from '../common/inputOrder.ts';
import { conv2dF32B1, rankTapSum, rankValue, tapAbsSum } from './emulate.ts';

export const KIND = 'conv2d_f32_b1';

/**
 * Float32-input conv (first layer): the float32 sum over the valid taps, max-pooled,
 * bit = (rank(acc) < T) XOR flip with T the rank (emulate.ts float32Rank) of a float32
 * threshold; INT32_MIN for a constant channel. The device input is HWC, as for conv2d_int_b1.
 */
export interface Conv2dF32B1Layer extends Origin, Thresholds, ConvGeometry {
  kind: typeof KIND;
  weights: Uint32Array;
  /** The convolution's bias the model adds after the sum (for the reference's rounding bound), or null. */
  bias: Float32Array | null;
  /** The float32 steps between the biased sum and the sign (for the slack at the sign, referenceSlackAt). */
  chain: AffineStep[];
}

export function conv2dF32B1Layer(fields: Omit<Conv2dF32B1Layer, 'kind'>): Conv2dF32B1Layer {
  return { kind: KIND, ...fields };
}

/**
 * Is output feature `feature` within the reference's own float32 rounding? The
 * reference (onnxruntime's Conv) sums the same terms and the bias in its own
 * order: at each position both sums lie within gamma_{taps+1} * (sum |x| + |bias|)
 * of the exact one, and a max over the pool window moves by at most the largest
 * of its positions' distances.
 */
function sumDistance(layer: Conv2dF32B1Layer, feature: number, input: ArrayLike<number>): number {
  const [, ow, oc] = layer.outShape;
  const pixel = Math.floor(feature / oc);
  const [py, px] = [Math.floor(pixel / ow), pixel % ow];
  const channel = feature % oc;
  const taps = layer.kernel[0] * layer.kernel[1] * layer.inShape[2];
  const bias = layer.bias ? Math.abs(layer.bias[channel]) : 0;
  let distance = 0;
  // The pool window as common/conv.ts pooledAccumulator walks it: positions outside the convolution output are padding.
  for (let qy = 0; qy < layer.pool[0]; qy++) {
    const cy = py * layer.poolStride[0] - layer.poolPads[0] + qy;
    if (cy < 0 || cy >= layer.convShape[0]) continue;
    for (let qx = 0; qx < layer.pool[1]; qx++) {
      const cx = px * layer.poolStride[1] - layer.poolPads[1] + qx;
      if (cx < 0 || cx >= layer.convShape[1]) continue;
      const sumAbs = tapAbsSum(layer, input, cy, cx);
      distance = Math.max(distance, 2 * roundingGamma(taps + 1) * (sumAbs + bias));
    }
  }
  return distance;
}

function withinSumDistance(layer: Conv2dF32B1Layer, feature: number, input: ArrayLike<number>): boolean {
  const { channel, acc } = featureAccumulator(layer, rankTapSum(layer, input), feature);
  if (layer.threshold[channel] === -(2 ** 31) || acc === 0x7fffffff) return false; // a constant channel, or NaN
  return Math.abs(rankValue(acc) - rankValue(layer.threshold[channel])) <= sumDistance(layer, feature, input);
}

const FN = 'bnn_conv2d_f32_b1';

export const conv2dF32B1Op: LoweredOp<Conv2dF32B1Layer> = {
  kind: KIND,
  output: 'bits',
  outputShape: (layer) => layer.outShape,
  shapeText: convShapeText,
  describe: convDescribe,

  deviceInputOrder: (layer) => chwToHwc(layer.inShape),
  emulate: (layer, input) => conv2dF32B1(layer, input),
  // The float32 sum (the rank's value) of the feature's pooled position.
  accumulator: (layer, input, feature) => rankValue(featureAccumulator(layer, rankTapSum(layer, input), feature).acc),
  referenceSign: true,
  withinReferenceRounding: withinSumDistance,
  // ... and when the reference's own value at the sign is within what that distance allows through the chain.
  referenceSlackAt(layer, feature, input) {
    const { channel, acc } = featureAccumulator(layer, rankTapSum(layer, input), feature);
    return floatSumSlack(rankValue(acc), layer.bias ? layer.bias[channel] : 0, sumDistance(layer, feature, input), layer.chain, channel);
  },

  outputBytes: convOutputBytes,
  // Two int32 per output channel: one position's ranks, then the pooled ones (bnn_conv2d_f32_b1.c).
  scratchBytes: (layer) => 4 * 2 * layer.outShape[2],
  kernelLimits: convParamLimits,

  channels: (layer) => layer.outShape[2],
  thresholdRange: () => [-(2 ** 31), 2 ** 31 - 1],
  weightRows: convWeightRows,

  inputKind: () => 'float32',
  constants: convConstants,

  code: (layer, site) => convCode(layer, site, FN),
  kernelFiles: () => [{ file: `${FN}.c` }, { file: 'bnn_conv2d_pool.h' }],
};
