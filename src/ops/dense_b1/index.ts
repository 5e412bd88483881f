/** dense_b1, a thresholded dense layer on binary input (created by passes/foldThresholds.ts), at every stage below the importer. */
import type { Origin, Thresholds } from '../../ir/types.ts';
import { packedWords, wordsFor } from '../../bitops.ts';
import type { LoweredOp } from '../types.ts';
import { denseLimits, denseShapeText, thresholdedDenseConstants, thresholdedDenseDescribe } from '../common/dense.ts';
import { nearPopcountBoundary } from '../common/ties.ts';
import { ROW_ENGINE, thresholdedArrays } from '../common/kernels.ts';
import { channelPopcount, denseB1 } from './emulate.ts';

export const KIND = 'dense_b1';

/** Binary input times binary weights, thresholded: bit = (popcount(x^w) > T) XOR flip. */
export interface DenseB1Layer extends Origin, Thresholds {
  kind: typeof KIND;
  inFeatures: number;
  /** Channels per pixel of the packed input (inFeatures for a flat vector; C after a conv). */
  inGroup: number;
  outFeatures: number;
  weights: Uint32Array;
}

export function denseB1Layer(fields: Omit<DenseB1Layer, 'kind'>): DenseB1Layer {
  return { kind: KIND, ...fields };
}

const rowWords = (layer: DenseB1Layer) => packedWords(layer.inFeatures, layer.inGroup);

export const denseB1Op: LoweredOp<DenseB1Layer> = {
  kind: KIND,
  output: 'bits',
  outputShape: (layer) => [1, 1, layer.outFeatures],
  shapeText: denseShapeText,
  describe: thresholdedDenseDescribe,

  emulate: (layer, input) => denseB1(layer, input as Uint32Array),
  accumulator: (layer, input, feature) => channelPopcount(input as Uint32Array, layer.weights, layer.inFeatures, layer.inGroup, feature),
  referenceSign: true,
  // bit = (pop > T) XOR flip; a reach only where the reference rounds (a fractional Gemm bias).
  withinReferenceRounding(layer, feature, input) {
    const reach = layer.referenceReach?.[feature] ?? 0;
    return reach > 0 && nearPopcountBoundary(denseB1Op.accumulator!(layer, input, feature), layer.threshold[feature], reach);
  },

  outputBytes: (layer) => 4 * wordsFor(layer.outFeatures),
  scratchBytes: () => 0,
  kernelLimits: (layer) => denseLimits({ words: rowWords(layer) }, layer.outFeatures, 'bnn_dense_b1'),

  channels: (layer) => layer.outFeatures,
  thresholdRange: () => [-(2 ** 31), 2 ** 31 - 1],
  weightRows: (layer) => ({ length: layer.inFeatures, group: layer.inGroup, words: rowWords(layer) }),

  inputKind: () => 'binary',
  constants: thresholdedDenseConstants,

  code: (layer, site) => ({
    arrays: thresholdedArrays(site.base, layer),
    params: false,
    call: {
      fn: 'bnn_dense_b1', nWords: rowWords(layer), input: site.input, weights: `${site.base}_weights`, nOut: layer.outFeatures,
      threshold: `${site.base}_threshold`, flip: `${site.base}_flip`, output: site.output,
    },
  }),
  // the row engine's file too: some variants' engines (rv32) have their out-of-line code there
  kernelFiles: () => [{ file: 'bnn_dense_b1.c' }, ROW_ENGINE],
};
