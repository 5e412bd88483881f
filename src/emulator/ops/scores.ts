/** Scores layers: the dot product / accumulator, or fixed-point logits mult*dot + bias (int32, as the C kernel). */
import { dotFromPopcount } from '../../bitops.ts';
import type { DenseB1ScoresLayer, DenseIntScoresLayer, ScoreTransform } from '../../ir/types.ts';
import { popcounts } from './denseB1.ts';
import { integerAccumulators } from './denseIntB1.ts';

export function applyTransform(dots: Int32Array, transform: ScoreTransform | null): Int32Array {
  if (!transform) return dots;
  // The planner guarantees |mult*dot| + |bias| <= INT32_MAX, so this is exact int32 arithmetic.
  return dots.map((d, o) => transform.mult[o] * d + transform.bias[o]);
}

export function denseB1Scores(layer: DenseB1ScoresLayer, x: Uint32Array): Int32Array {
  const pops = popcounts(x, layer.weights, layer.inFeatures, layer.outFeatures, layer.inGroup);
  return applyTransform(pops.map((p) => dotFromPopcount(layer.inFeatures, p)), layer.transform);
}

export function denseIntScores(layer: DenseIntScoresLayer, x: ArrayLike<number>): Int32Array {
  return applyTransform(integerAccumulators(x, layer.weights, layer.inFeatures, layer.outFeatures), layer.transform);
}
