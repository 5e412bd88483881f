/** conv2d_b1, a thresholded convolution on binary input (created by passes/foldThresholds.ts), at every stage below the importer. */
import type { ConvGeometry, Origin, Thresholds } from '../../ir/types.ts';
import type { LoweredOp } from '../types.ts';
import { convCode, convConstants, convDescribe, convOutputBytes, convShapeText, convWeightRows, featureAccumulator, tapBitWords } from '../common/conv.ts';
import { DENSE_LIMITS } from '../common/dense.ts';
import { ROW_ENGINE } from '../common/kernels.ts';
import { convParamLimits } from '../common/convParams.ts';
import { nearIntegerBoundary } from '../common/ties.ts';
import { binaryTapSum, conv2dB1 } from './emulate.ts';

export const KIND = 'conv2d_b1';

/**
 * Binary conv: dot = sum over taps of (C - 2 popcount(x_tap ^ w_tap)), where taps
 * outside the input contribute 0 (float-zero padding) or use an all-0 / all-1
 * pixel (+1 / -1 padding); bit = (pooled dot < T) XOR flip.
 */
export interface Conv2dB1Layer extends Origin, Thresholds, ConvGeometry {
  kind: typeof KIND;
  /** Packed [oc][kh][kw] x wordsFor(C) words (the C kernel's layout: common/conv.ts tapBitWeights). */
  weights: Uint32Array;
}

export function conv2dB1Layer(fields: Omit<Conv2dB1Layer, 'kind'>): Conv2dB1Layer {
  return { kind: KIND, ...fields };
}

export const conv2dB1Op: LoweredOp<Conv2dB1Layer> = {
  kind: KIND,
  output: 'bits',
  outputShape: (layer) => layer.outShape,
  shapeText: convShapeText,
  describe: convDescribe,

  emulate: (layer, input) => conv2dB1(layer, input as Uint32Array),
  accumulator: (layer, input, feature) => featureAccumulator(layer, binaryTapSum(layer, input as Uint32Array), feature).acc,
  referenceSign: true,
  // A reach only where the reference rounds (a bias summed before an average pool).
  withinReferenceRounding(layer, feature, input) {
    const { channel, acc } = featureAccumulator(layer, binaryTapSum(layer, input as Uint32Array), feature);
    const reach = layer.referenceReach?.[channel] ?? 0;
    return reach > 0 && nearIntegerBoundary(acc, layer.threshold[channel], reach);
  },

  outputBytes: convOutputBytes,
  // One gathered patch (a weight row), with float-zero padding a 16-bit weight-bit count per tap and
  // output channel (two per word), and two int32 per output channel (bnn_conv2d_b1.c).
  scratchBytes: (layer) => 4 * (tapBitWords(layer) + (layer.padding === 'zero' ? layer.kernel[0] * layer.kernel[1] * Math.ceil(layer.outShape[2] / 2) : 0) + 2 * layer.outShape[2]),
  kernelLimits: (layer) => [
    ...convParamLimits(layer),
    // Every position runs bnn_dense_b1_pop over the whole patch.
    {
      what: 'packed words per patch (ceil(k_h * k_w * in_c / 32), bnn_dense_b1_pop n_words)', value: tapBitWords(layer),
      min: 1, max: DENSE_LIMITS.rowWords, hint: 'use a smaller kernel or fewer input channels',
    },
  ],

  channels: (layer) => layer.outShape[2],
  thresholdRange: () => [-(2 ** 31), 2 ** 31 - 1],
  weightRows: convWeightRows,

  inputKind: () => 'binary',
  constants: convConstants,

  code: (layer, site) => convCode(layer, site, 'bnn_conv2d_b1'),
  // Every position runs on the binary row engine.
  kernelFiles: () => [{ file: 'bnn_conv2d_b1.c' }, { file: 'bnn_conv2d_pool.h' }, ROW_ENGINE],
};
