/**
 * Thresholds over float32 accumulators (dense_f32_b1): the model's chain (bias,
 * batch-norm, ...) is a monotone function of the accumulator (every float32
 * step rounds monotonically), so "is the value at the sign negative" changes
 * at most once along the ordered float32 line; bisection over that line
 * (monotone.ts orderedFloat32) finds the boundary exactly, for every finite
 * float32 accumulator value (the passes refuse a chain that gives NaN on one).
 * An overflowed sum (+/-inf) compares beyond every finite value, as the
 * chain's limit does. The kernel compares order-preserving keys (bitops.ts
 * float32OrderKey), so the threshold is stored as a key.
 */
import { float32ThresholdKey } from '../bitops.ts';
import type { AffineStep } from '../ir/types.ts';
import { applySteps } from './affine.ts';
import { findBoundary, FLOAT32_MAX_INDEX, orderedFloat32 } from './monotone.ts';

/** Per channel: the key T and flip with (key(acc) < T) XOR flip = (value at the sign < 0) for every finite float32 acc. */
export function thresholdsForFloat(channels: number, pre: (o: number, acc: number) => number, steps: readonly AffineStep[]): { threshold: Uint32Array; flip: Uint8Array } {
  const threshold = new Uint32Array(channels);
  const flip = new Uint8Array(channels);
  for (let o = 0; o < channels; o++) {
    const neg = (k: number) => applySteps(pre(o, orderedFloat32(k)), steps, o) < 0;
    const b = findBoundary(-FLOAT32_MAX_INDEX, FLOAT32_MAX_INDEX, neg);
    if (b.atLow === b.atHigh) { threshold[o] = 0; flip[o] = b.atLow ? 1 : 0; continue; } // no key is below 0: bit = flip
    // -0 and +0 are one point of the line (orderedFloat32 has no -0); a boundary at 0 is keyed as -0 so both lie above it.
    threshold[o] = float32ThresholdKey(orderedFloat32(b.firstHigh));
    flip[o] = b.atLow ? 0 : 1; // -1 below T unless the chain decreases
  }
  return { threshold, flip };
}

/** The float32 whose key is `key` (the boundary a threshold key stands for); NaN for key 0, a constant channel. */
export function thresholdKeyValue(key: number): number {
  if (key === 0) return Number.NaN;
  const bits = key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0;
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits >>> 0);
  return view.getFloat32(0);
}
