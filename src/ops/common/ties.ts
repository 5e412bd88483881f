/**
 * Tie bounds shared by the thresholded ops: how close to the folded boundary an
 * accumulator must lie for the float reference's own rounding to decide the
 * bit (verify/compareReference.ts; the reach is computed at lowering,
 * passes/referenceRounding.ts).
 */
import type { IntegerInputRounding } from '../../ir/types.ts';
import { reachInSteps, sampleIntegerLayerError } from '../../passes/referenceRounding.ts';

/** bit = (acc < T) XOR flip: the boundary lies between T - 1 and T; `reach` lattice points on each side. */
export function nearIntegerBoundary(acc: number, threshold: number, reach: number): boolean {
  return acc >= threshold - reach && acc <= threshold + reach - 1;
}

/** bit = (pop > T) XOR flip: the boundary lies between T and T + 1; `reach` lattice points on each side. */
export function nearPopcountBoundary(pop: number, threshold: number, reach: number): boolean {
  return reach > 0 && pop >= threshold + 1 - reach && pop <= threshold + reach;
}

/**
 * An integer-input layer's reach for this sample: the bound of the reference's
 * float32 sum computed from this input's own sum of |x_i| (every input, which
 * covers any convolution window), never more than the layer's worst case.
 */
export function integerInputReach(
  layer: { referenceReach?: Int32Array; referenceRounding?: IntegerInputRounding }, channel: number, input: ArrayLike<number>,
): number {
  const worst = layer.referenceReach?.[channel] ?? 0;
  const r = layer.referenceRounding;
  if (worst === 0 || !r) return worst;
  let sumAbs = 0;
  for (let i = 0; i < input.length; i++) sumAbs += Math.abs(r.scale * input[i] + r.offset);
  const error = sampleIntegerLayerError(r.terms, r.inputError, sumAbs, r.bias ? r.bias[channel] : 0, r.roundings);
  return Math.min(worst, reachInSteps(error, r.unit));
}
