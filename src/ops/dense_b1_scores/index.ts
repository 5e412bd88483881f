/** dense_b1_scores at every stage below the importer: int32 class scores in the caller's buffer. */
import { dotFromPopcount, packedWords } from '../../bitops.ts';
import { denseLimits, denseShapeText, scoresDescribe } from '../common/dense.ts';
import { ROW_ENGINE } from '../common/kernels.ts';
import { applyTransform, scoresArrays, scoresConstants } from '../common/scores.ts';
import { popcounts } from '../dense_b1/emulate.ts';
import type { LoweredOp } from '../types.ts';
import { KIND, type DenseB1ScoresLayer } from './layer.ts';

const rowWords = (layer: DenseB1ScoresLayer) => packedWords(layer.inFeatures, layer.inGroup);

export function denseB1Scores(layer: DenseB1ScoresLayer, x: Uint32Array): Int32Array {
  const pops = popcounts(x, layer.weights, layer.inFeatures, layer.outFeatures, layer.inGroup);
  return applyTransform(pops.map((p) => dotFromPopcount(layer.inFeatures, p)), layer.transform);
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
