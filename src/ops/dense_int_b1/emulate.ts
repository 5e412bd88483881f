/** dense_int_b1: acc[o] = sum_i (w_oi = +1 ? x_i : -x_i); bit[o] = (acc < T[o]) XOR flip[o]. */
import { getBit, integerThresholdBit, packBits, wordsFor } from '../../bitops.ts';
import type { DenseIntB1Layer } from './index.ts';

/** The accumulator of output channel o. */
export function integerAccumulator(x: ArrayLike<number>, weights: Uint32Array, inFeatures: number, o: number): number {
  const offset = o * wordsFor(inFeatures);
  let sum = 0;
  for (let i = 0; i < inFeatures; i++) sum += getBit(weights, i, offset) ? -x[i] : x[i];
  return sum;
}

export function integerAccumulators(x: ArrayLike<number>, weights: Uint32Array, inFeatures: number, outFeatures: number): Int32Array {
  return Int32Array.from({ length: outFeatures }, (_, o) => integerAccumulator(x, weights, inFeatures, o));
}

export function denseIntB1(layer: DenseIntB1Layer, x: ArrayLike<number>): Uint32Array {
  const acc = integerAccumulators(x, layer.weights, layer.inFeatures, layer.outFeatures);
  const bits = new Uint8Array(layer.outFeatures);
  for (let o = 0; o < layer.outFeatures; o++) bits[o] = integerThresholdBit(acc[o], layer.threshold[o], layer.flip[o]);
  return packBits(bits);
}
