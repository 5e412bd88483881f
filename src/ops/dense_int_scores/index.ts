/** dense_int_scores, a single-layer model on uint8/int8 input (created by passes/foldScores.ts), at every stage below the importer: int32 class scores in the caller's buffer. */
import type { Origin, ScoreTransform } from '../../ir/types.ts';
import { wordsFor } from '../../bitops.ts';
import type { LoweredOp } from '../types.ts';
import { INT_DENSE_PREFIX, integerDenseKernel, ROW_ENGINE } from '../common/kernels.ts';
import { scoresArrays, scoresConstants } from '../common/scores.ts';
import { denseLimits, denseShapeText, scoresDescribe } from '../common/dense.ts';
import { denseIntScores } from './emulate.ts';

export const KIND = 'dense_int_scores';

/** Last layer on integer input (a single-layer model): scores from the add/subtract sum. */
export interface DenseIntScoresLayer extends Origin {
  kind: typeof KIND;
  inputDType: 'uint8' | 'int8';
  inFeatures: number;
  outFeatures: number;
  weights: Uint32Array;
  transform: ScoreTransform | null;
  /**
   * Reference logit units: two classes whose float logits differ by at most this
   * may be ordered differently by the integer scores (fixed-point rounding plus
   * the reference's own float32 rounding; see passes/foldScores.ts). Absent: 0.
   */
  logitBound?: number;
}

export function denseIntScoresLayer(fields: Omit<DenseIntScoresLayer, 'kind'>): DenseIntScoresLayer {
  return { kind: KIND, ...fields };
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
  // The input's 8 bit planes and an all-zero plane (bnn_dense_int.h).
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
  kernelFiles: (layer) => [...integerDenseKernel(layer.inputDType, 'acc'), ROW_ENGINE],
  // The kernel returns the accumulators themselves.
  rawDot: () => 'scores[o]',
};
