/** dense_b1_scores, the last dense layer on binary input (created by passes/foldScores.ts), at every stage below the importer: int32 class scores in the caller's buffer. */
import type { Origin, ScoreTransform } from '../../ir/types.ts';
import { packedWords } from '../../bitops.ts';
import type { LoweredOp } from '../types.ts';
import { ROW_ENGINE } from '../common/kernels.ts';
import { scoresArrays, scoresConstants } from '../common/scores.ts';
import { denseLimits, denseShapeText, scoresDescribe } from '../common/dense.ts';
import { denseB1Scores } from './emulate.ts';

export const KIND = 'dense_b1_scores';

/** Last layer on binary input: integer scores (dot products, or fixed-point logits). */
export interface DenseB1ScoresLayer extends Origin {
  kind: typeof KIND;
  inFeatures: number;
  /** Channels per pixel of the packed input (inFeatures for a flat vector; C after a conv). */
  inGroup: number;
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

const rowWords = (layer: DenseB1ScoresLayer) => packedWords(layer.inFeatures, layer.inGroup);

export function denseB1ScoresLayer(fields: Omit<DenseB1ScoresLayer, 'kind'>): DenseB1ScoresLayer {
  return { kind: KIND, ...fields };
}

export const denseB1ScoresOp: LoweredOp<DenseB1ScoresLayer> = {
  kind: KIND,
  output: 'scores',
  outputShape: (layer) => [1, 1, layer.outFeatures],
  shapeText: denseShapeText,
  describe: scoresDescribe,

  emulate: (layer, input) => denseB1Scores(layer, input as Uint32Array),
  // No bits: its differences are explained by the logit bound (compareReference.ts).
  referenceSign: false,
  withinReferenceRounding: () => false,

  outputBytes: () => 0,
  scratchBytes: () => 0,
  kernelLimits: (layer) => denseLimits({ words: rowWords(layer) }, layer.outFeatures, 'bnn_dense_b1_pop'),

  channels: (layer) => layer.outFeatures,
  weightRows: (layer) => ({ length: layer.inFeatures, group: layer.inGroup, words: rowWords(layer) }),

  inputKind: () => 'binary',
  constants: scoresConstants,

  code: (layer, site) => ({
    arrays: scoresArrays(site.base, layer),
    params: false,
    call: { fn: 'bnn_dense_b1_pop', nWords: rowWords(layer), input: site.input, weights: `${site.base}_weights`, nOut: layer.outFeatures, output: site.output },
  }),
  kernelFiles: () => [ROW_ENGINE],
  // The kernel returns popcounts: dot = n - 2 * popcount.
  rawDot: (layer) => `${layer.inFeatures} - 2 * scores[o]`,
};
