/**
 * conv2d_grouped_b1, a thresholded binary convolution with groups (depthwise
 * too) or dilation (created by passes/foldThresholds.ts), at every stage below
 * the importer. Its own kernel (runtime/bnn_conv2d_grouped_b1.c) shares the
 * pool -> threshold loop with the other convolutions.
 */
import type { ConvGeometry, Origin, Thresholds } from '../../ir/types.ts';
import { wordsFor } from '../../bitops.ts';
import type { LoweredOp } from '../types.ts';
import { convCode, convDescribe, convOutputBytes, convShapeText, featureAccumulator } from '../common/conv.ts';
import { CONV_PARAMS_BYTES, convParamLimits } from '../common/convParams.ts';
import { DENSE_LIMITS } from '../common/dense.ts';
import { ROW_ENGINE } from '../common/kernels.ts';
import { conv2dGroupedB1, groupedTapSum } from './emulate.ts';

export const KIND = 'conv2d_grouped_b1';

/**
 * Grouped or dilated binary conv with float-zero padding: output channel o of
 * group g reads the group's C / groups channels at taps spaced by `dilation`;
 * dot = sum over the taps inside the input of (Cg - 2 popcount(x ^ w));
 * bit = (pooled dot < T) XOR flip.
 */
export interface Conv2dGroupedB1Layer extends Origin, Thresholds, ConvGeometry {
  kind: typeof KIND;
  groups: number;
  dilation: [number, number];
  /** Packed [oc][kh][kw] x wordsFor(C / groups) words: each tap holds the group's channels from bit 0. */
  weights: Uint32Array;
}

export function conv2dGroupedB1Layer(fields: Omit<Conv2dGroupedB1Layer, 'kind'>): Conv2dGroupedB1Layer {
  return { kind: KIND, ...fields };
}

const groupWords = (layer: Conv2dGroupedB1Layer) => wordsFor(layer.inShape[2] / layer.groups);
const patchWords = (layer: Conv2dGroupedB1Layer) => layer.kernel[0] * layer.kernel[1] * groupWords(layer);

export const conv2dGroupedB1Op: LoweredOp<Conv2dGroupedB1Layer> = {
  kind: KIND,
  output: 'bits',
  outputShape: (layer) => layer.outShape,
  shapeText: convShapeText,
  describe: (layer) => `${convDescribe(layer)} groups ${layer.groups} dilation ${layer.dilation.join('x')}`,

  emulate: (layer, input) => conv2dGroupedB1(layer, input as Uint32Array),
  accumulator: (layer, input, feature) => featureAccumulator(layer, groupedTapSum(layer, input as Uint32Array), feature).acc,
  referenceSign: true,
  // The dot is exact and the lowering refuses a bias before an average pool: the reference never rounds here.
  withinReferenceRounding: () => false,

  outputBytes: convOutputBytes,
  // One gathered patch of the group's channels and two int32 per output channel (bnn_conv2d_grouped_b1.c).
  scratchBytes: (layer) => 4 * (patchWords(layer) + 2 * layer.outShape[2]),
  kernelLimits: (layer) => [
    ...convParamLimits(layer),
    { what: 'groups (int32_t argument of bnn_conv2d_grouped_b1)', value: layer.groups, min: 1, max: layer.inShape[2], hint: 'use fewer groups' },
    { what: 'dilation height', value: layer.dilation[0], min: 1, max: 127, hint: 'use a smaller dilation' },
    { what: 'dilation width', value: layer.dilation[1], min: 1, max: 127, hint: 'use a smaller dilation' },
    {
      what: 'packed words per patch (k_h * k_w * ceil(in_c / groups / 32), bnn_dense_b1_pop n_words)', value: patchWords(layer),
      min: 1, max: DENSE_LIMITS.rowWords, hint: 'use a smaller kernel or fewer input channels per group',
    },
  ],

  channels: (layer) => layer.outShape[2],
  thresholdRange: () => [-(2 ** 31), 2 ** 31 - 1],
  weightRows: (layer) => {
    const groupC = layer.inShape[2] / layer.groups;
    const taps = layer.kernel[0] * layer.kernel[1];
    return { length: taps * groupC, group: groupC, words: taps * groupWords(layer) };
  },

  inputKind: () => 'binary',
  constants: (layer) => {
    const oc = layer.outShape[2];
    const params = layer.kernel[0] * layer.kernel[1] * (layer.inShape[2] / layer.groups) * oc + oc;
    return { params, bytes: 4 * layer.weights.length + 4 * oc + 4 * wordsFor(oc) + CONV_PARAMS_BYTES };
  },

  code: (layer, site) => {
    // The kernel reads each tap's group channels in their own words (the IR's packing), not tapBitWeights' back-to-back bits.
    const code = convCode(layer, site, 'bnn_conv2d_grouped_b1', layer.weights);
    return { ...code, call: { ...code.call, groups: layer.groups, dilationH: layer.dilation[0], dilationW: layer.dilation[1] } };
  },
  // Interior positions run on the binary row engine.
  kernelFiles: () => [{ file: 'bnn_conv2d_grouped_b1.c' }, { file: 'bnn_conv2d_pool.h' }, ROW_ENGINE],
};
