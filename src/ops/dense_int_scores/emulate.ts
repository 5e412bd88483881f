/** dense_int_scores: the add/subtract sums of the integer input, or fixed-point logits mult*acc + bias (int32, as the C kernel). */
import { applyTransform } from '../common/scores.ts';
import { integerAccumulators } from '../dense_int_b1/emulate.ts';
import type { DenseIntScoresLayer } from './index.ts';

export function denseIntScores(layer: DenseIntScoresLayer, x: ArrayLike<number>): Int32Array {
  return applyTransform(integerAccumulators(x, layer.weights, layer.inFeatures, layer.outFeatures, layer.inputDType === 'int8'), layer.transform);
}
