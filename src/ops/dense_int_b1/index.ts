/** dense_int_b1 at every stage below the importer. */
import { wordsFor } from '../../bitops.ts';
import { denseLimits, denseShapeText, thresholdedDenseDescribe } from '../common/dense.ts';
import { INT_DENSE_PREFIX, integerDenseKernel, ROW_ENGINE, thresholdedArrays } from '../common/kernels.ts';
import { integerInputReach, nearIntegerBoundary } from '../common/ties.ts';
import type { LoweredOp } from '../types.ts';
import { denseIntB1, integerAccumulator } from './emulate.ts';
import { KIND, type DenseIntB1Layer } from './layer.ts';

export const denseIntB1Op: LoweredOp<DenseIntB1Layer> = {
  kind: KIND,
  output: 'bits',
  outputShape: (layer) => [1, 1, layer.outFeatures],
  shapeText: denseShapeText,
  describe: thresholdedDenseDescribe,

  emulate: (layer, input) => denseIntB1(layer, input),
  accumulator: (layer, input, feature) => integerAccumulator(input, layer.weights, layer.inFeatures, feature),
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
  constants: (layer) => ({
    params: layer.inFeatures * layer.outFeatures + layer.outFeatures,
    bytes: 4 * layer.weights.length + 4 * layer.outFeatures + 4 * wordsFor(layer.outFeatures),
  }),

  code: (layer, site) => ({
    arrays: thresholdedArrays(site.base, layer),
    params: false,
    call: {
      fn: `${INT_DENSE_PREFIX[layer.inputDType]}_b1`, nIn: layer.inFeatures, scratch: site.scratch, input: site.input, weights: `${site.base}_weights`,
      nOut: layer.outFeatures, threshold: `${site.base}_threshold`, flip: `${site.base}_flip`, output: site.output,
    },
  }),
  // The bit-plane rows run on the binary row engine.
  kernelFiles: (layer) => [integerDenseKernel(layer.inputDType), ROW_ENGINE],
};
