/** dense_int_scores at every stage below the importer: int32 class scores in the caller's buffer. */
import { wordsFor } from '../../bitops.ts';
import { denseLimits, denseShapeText, scoresDescribe } from '../common/dense.ts';
import { INT_DENSE_PREFIX, integerDenseKernel, ROW_ENGINE } from '../common/kernels.ts';
import { applyTransform, scoresArrays, scoresConstants } from '../common/scores.ts';
import { integerAccumulators } from '../dense_int_b1/emulate.ts';
import type { LoweredOp } from '../types.ts';
import { KIND, type DenseIntScoresLayer } from './layer.ts';

export function denseIntScores(layer: DenseIntScoresLayer, x: ArrayLike<number>): Int32Array {
  return applyTransform(integerAccumulators(x, layer.weights, layer.inFeatures, layer.outFeatures), layer.transform);
}

export const denseIntScoresOp: LoweredOp<DenseIntScoresLayer> = {
  kind: KIND,
  output: 'scores',
  outputShape: (layer) => [1, 1, layer.outFeatures],
  shapeText: denseShapeText,
  describe: scoresDescribe,

  emulate: (layer, input) => denseIntScores(layer, input),
  // No bits: its differences are explained by the logit bound (compareReference.ts).
  referenceSign: false,
  withinReferenceRounding: () => false,

  outputBytes: () => 0,
  // The input's 8 bit planes and an all-zero plane (bnn_dense_*8_b1.c).
  scratchBytes: (layer) => 9 * 4 * wordsFor(layer.inFeatures),
  kernelLimits: (layer) => denseLimits({ inputs: layer.inFeatures }, layer.outFeatures, `${INT_DENSE_PREFIX[layer.inputDType]}_acc`),

  channels: (layer) => layer.outFeatures,
  weightRows: (layer) => ({ length: layer.inFeatures, group: layer.inFeatures, words: wordsFor(layer.inFeatures) }),

  inputKind: (layer) => layer.inputDType,
  constants: scoresConstants,

  code: (layer, site) => ({
    arrays: scoresArrays(site.base, layer),
    params: false,
    call: {
      fn: `${INT_DENSE_PREFIX[layer.inputDType]}_acc`, nIn: layer.inFeatures, scratch: site.scratch, input: site.input,
      weights: `${site.base}_weights`, nOut: layer.outFeatures, output: site.output,
    },
  }),
  kernelFiles: (layer) => [integerDenseKernel(layer.inputDType), ROW_ENGINE],
  // The kernel returns the accumulators themselves.
  rawDot: () => 'scores[o]',
};
