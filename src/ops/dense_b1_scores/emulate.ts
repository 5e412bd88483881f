/** dense_b1_scores: the dot products n - 2 popcount(x ^ w), or fixed-point logits mult*dot + bias (int32, as the C kernel). */
import { dotFromPopcount } from '../../bitops.ts';
import { applyTransform } from '../common/scores.ts';
import { popcounts } from '../dense_b1/emulate.ts';
import type { DenseB1ScoresLayer } from './index.ts';

export function denseB1Scores(layer: DenseB1ScoresLayer, x: Uint32Array): Int32Array {
  const pops = popcounts(x, layer.weights, layer.inFeatures, layer.outFeatures, layer.inGroup);
  return applyTransform(pops.map((p) => dotFromPopcount(layer.inFeatures, p)), layer.transform);
}
