/** dense_int_b1, the first dense layer on uint8/int8 input (created by passes/foldThresholds.ts), at every stage below the importer. */
import type { IntegerInputRounding, Origin, Thresholds } from '../../ir/types.ts';
import { wordsFor } from '../../bitops.ts';
import type { LoweredOp } from '../types.ts';
import { INT_DENSE_PREFIX, integerDenseKernel, ROW_ENGINE, thresholdedArrays } from '../common/kernels.ts';
import { denseLimits, denseShapeText, thresholdedDenseConstants, thresholdedDenseDescribe } from '../common/dense.ts';
import { integerInputReach, nearIntegerBoundary } from '../common/ties.ts';
import { denseIntB1, integerAccumulator } from './emulate.ts';

export const KIND = 'dense_int_b1';

/** Integer input (uint8/int8) times binary weights, thresholded: bit = (acc < T) XOR flip. */
export interface DenseIntB1Layer extends Origin, Thresholds {
  kind: typeof KIND;
  inputDType: 'uint8' | 'int8';
  /** For the per-sample tie bound; `referenceReach` is its worst case over every input. */
  referenceRounding?: IntegerInputRounding;
  inFeatures: number;
  outFeatures: number;
  /** Packed weight rows, wordsFor(inFeatures) words each; bit 1 = weight -1. */
  weights: Uint32Array;
}

export function denseIntB1Layer(fields: Omit<DenseIntB1Layer, 'kind'>): DenseIntB1Layer {
  return { kind: KIND, ...fields };
}

export const denseIntB1Op: LoweredOp<DenseIntB1Layer> = {
  kind: KIND,
  output: 'bits',
  outputShape: (layer) => [1, 1, layer.outFeatures],
  shapeText: denseShapeText,
  describe: thresholdedDenseDescribe,

  emulate: (layer, input) => denseIntB1(layer, input),
  accumulator: (layer, input, feature) => integerAccumulator(input, layer.weights, layer.inFeatures, feature, layer.inputDType === 'int8'),
  referenceSign: true,
  withinReferenceRounding(layer, feature, input) {
    const reach = integerInputReach(layer, feature, input);
    return reach > 0 && nearIntegerBoundary(denseIntB1Op.accumulator!(layer, input, feature), layer.threshold[feature], reach);
  },

  outputBytes: (layer) => 4 * wordsFor(layer.outFeatures),
  // The input's 8 bit planes and an all-zero plane (bnn_dense_*8_b1.c).
  scratchBytes: (layer) => 9 * 4 * wordsFor(layer.inFeatures),
  kernelLimits: (layer) => denseLimits({ inputs: layer.inFeatures }, layer.outFeatures, `${INT_DENSE_PREFIX[layer.inputDType]}_b1`),

  channels: (layer) => layer.outFeatures,
  thresholdRange: () => [-(2 ** 31), 2 ** 31 - 1],
  weightRows: (layer) => ({ length: layer.inFeatures, group: layer.inFeatures, words: wordsFor(layer.inFeatures) }),

  inputKind: (layer) => layer.inputDType,
  constants: thresholdedDenseConstants,

  code: (layer, site) => ({
    arrays: thresholdedArrays(site.base, layer),
    params: false,
    call: {
      fn: `${INT_DENSE_PREFIX[layer.inputDType]}_b1`, nIn: layer.inFeatures, scratch: site.scratch, input: site.input, weights: `${site.base}_weights`,
      nOut: layer.outFeatures, threshold: `${site.base}_threshold`, flip: `${site.base}_flip`, output: site.output,
    },
  }),
  // The bit-plane rows run on the binary row engine.
  kernelFiles: (layer) => [...integerDenseKernel(layer.inputDType, 'b1'), ROW_ENGINE],
};
