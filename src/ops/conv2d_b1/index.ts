/** conv2d_b1, a thresholded convolution on binary input (created by passes/foldThresholds.ts), at every stage below the importer. */
import type { ConvGeometry, Origin, Thresholds } from '../../ir/types.ts';
import type { KernelFile, LoweredOp } from '../types.ts';
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
  scratchBytes: (layer) => 4 * conv2dB1ScratchWords(layer),
  kernelLimits: (layer) => [
    ...convParamLimits(layer),
    {
      what: 'packed words per patch (ceil(k_h * k_w * in_c / 32))', value: tapBitWords(layer),
      min: 1, max: DENSE_LIMITS.rowWords, hint: 'use a smaller kernel or fewer input channels',
    },
  ],

  channels: (layer) => layer.outShape[2],
  thresholdRange: () => [-(2 ** 31), 2 ** 31 - 1],
  weightRows: convWeightRows,

  inputKind: () => 'binary',
  constants: convConstants,

  code: (layer, site) => convCode(layer, site, 'bnn_conv2d_b1'),
  // The kernel counts its rows itself (the row lengths of the model's binary convolutions unrolled; 9-word
  // rows in assembly on armv7em, bnn_conv2d_b1_armv7em.h), but on Helium, where positions without masks run
  // on the row engine.
  kernelFiles: (_layer, model) => [
    ...CONV2D_B1_RUNTIME.map((file) => ({ file })), conv2dB1RowsFile(model.layers.filter((l): l is Conv2dB1Layer => l.kind === KIND)), ROW_ENGINE,
  ],
};

/** The static files of the kernel (runtime/), without the generated rows header and the row engine. */
export const CONV2D_B1_RUNTIME = ['bnn_conv2d_b1.c', 'bnn_conv2d_b1_gather.h', 'bnn_conv2d_b1_count.h', 'bnn_conv2d_b1_armv7em.h', 'bnn_conv2d_b1_rv32.h'] as const;

/** Positions of a pool window that bnn_conv2d_b1.c gathers and counts together (BNN_CONV2D_B1_GROUP). */
const GROUP = 4;

/**
 * Scratch of bnn_conv2d_b1.c: the patches of up to GROUP window positions, as many masks with float-zero
 * padding, and two words per output channel (the pooled dots of a window of more than GROUP positions; on
 * Helium the dots and the row engine's popcounts).
 */
export function conv2dB1ScratchWords(layer: Conv2dB1Layer): number {
  const patches = Math.min(GROUP, layer.pool[0] * layer.pool[1]) * tapBitWords(layer);
  return patches * (layer.padding === 'zero' ? 2 : 1) + 2 * layer.outShape[2];
}

/** Longest row that bnn_conv2d_b1.c unrolls (its adder tree ends at the eights word). */
const MAX_UNROLLED_WORDS = 15;

/** bnn_conv2d_b1_rows.h: the row lengths (patch words) of these layers that the kernel unrolls, without and with a pool. */
export function conv2dB1RowsFile(layers: readonly Conv2dB1Layer[]): KernelFile {
  const lengths = (pooled: boolean) => [...new Set(layers.filter((l) => (l.pool[0] * l.pool[1] > 1) === pooled).map(tapBitWords))]
    .filter((n) => n >= 2 && n <= MAX_UNROLLED_WORDS).sort((a, b) => a - b);
  const text = (ns: number[]) => (ns.length ? `${ns.join(', ')} words` : 'none of 2 to 15 words');
  const singleLengths = lengths(false);
  const pooledLengths = lengths(true);
  return {
    file: 'bnn_conv2d_b1_rows.h',
    template: { name: 'c/kernels/bnn_conv2d_b1_rows.h', context: { singleLengths, pooledLengths, single: text(singleLengths), pooled: text(pooledLengths) } },
  };
}
