/**
 * dense_f32_b1: acc[o] = the float32 sum of (w_oi = +1 ? x_i : -x_i), added in
 * input order from +0, each addition rounded to float32 (no multiply, so no
 * contraction can change it); bit[o] = (key(acc) < T[o]) XOR flip[o], with T an
 * order-preserving key of a float32 threshold (bitops.ts float32OrderKey).
 */
import { float32OrderKey, getBit, packBits, wordsFor } from '../../bitops.ts';
import type { DenseF32B1Layer } from './index.ts';

/** The float32 accumulator of output channel o, in the kernel's order. */
export function floatAccumulator(x: ArrayLike<number>, weights: Uint32Array, inFeatures: number, o: number): number {
  const offset = o * wordsFor(inFeatures);
  let acc = 0;
  for (let i = 0; i < inFeatures; i++) acc = Math.fround(getBit(weights, i, offset) ? acc - x[i] : acc + x[i]);
  return acc;
}

/** The comparison of the kernel: a NaN accumulator (an input NaN, or inf - inf) is below no threshold, whatever its bits. */
export function floatThresholdBit(acc: number, thresholdKey: number, flip: number): 0 | 1 {
  const below = !Number.isNaN(acc) && float32OrderKey(acc) < thresholdKey;
  return ((below ? 1 : 0) ^ flip) as 0 | 1;
}

export function denseF32B1(layer: DenseF32B1Layer, x: ArrayLike<number>): Uint32Array {
  const bits = new Uint8Array(layer.outFeatures);
  for (let o = 0; o < layer.outFeatures; o++) {
    bits[o] = floatThresholdBit(floatAccumulator(x, layer.weights, layer.inFeatures, o), layer.threshold[o], layer.flip[o]);
  }
  return packBits(bits);
}
