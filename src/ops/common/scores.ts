/** What the two scores ops share: the fixed-point transform and its arrays. */
import type { ScoreTransform } from '../../ir/types.ts';
import type { CArray } from '../types.ts';
import { ints, words } from './kernels.ts';

/** Fixed-point logits mult*dot + bias (int32, as the C kernel), or the dots themselves. */
export function applyTransform(dots: Int32Array, transform: ScoreTransform | null): Int32Array {
  if (!transform) return dots;
  // The planner guarantees |mult*dot| + |bias| <= INT32_MAX, so this is exact int32 arithmetic.
  return dots.map((d, o) => transform.mult[o] * d + transform.bias[o]);
}

export function scoresArrays(base: string, layer: { weights: Uint32Array; transform: ScoreTransform | null }): CArray[] {
  const arrays = [words(`${base}_weights`, layer.weights)];
  if (layer.transform) arrays.push(ints(`${base}_mult`, layer.transform.mult), ints(`${base}_bias`, layer.transform.bias));
  return arrays;
}

/** Weights and, with a transform, its two int32 arrays. */
export function scoresConstants(layer: { inFeatures: number; outFeatures: number; weights: Uint32Array; transform: ScoreTransform | null }): { params: number; bytes: number } {
  const transform = layer.transform ? 2 * layer.outFeatures : 0;
  return { params: layer.inFeatures * layer.outFeatures + transform, bytes: 4 * layer.weights.length + 4 * transform };
}
