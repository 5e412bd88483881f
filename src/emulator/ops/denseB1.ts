/** dense_b1: bit[o] = (popcount(x ^ w_o) > T[o]) XOR flip[o]; also the popcounts for scores layers. */
import { binaryThresholdBit, packBits, packedWords, xorPopcount } from '../../bitops.ts';
import type { DenseB1Layer } from '../../ir/types.ts';

export function popcounts(x: Uint32Array, weights: Uint32Array, inFeatures: number, outFeatures: number, inGroup = inFeatures): Int32Array {
  const words = packedWords(inFeatures, inGroup);
  const pops = new Int32Array(outFeatures);
  for (let o = 0; o < outFeatures; o++) pops[o] = xorPopcount(x, 0, weights, o * words, words);
  return pops;
}

export function denseB1(layer: DenseB1Layer, x: Uint32Array): Uint32Array {
  const pops = popcounts(x, layer.weights, layer.inFeatures, layer.outFeatures, layer.inGroup);
  const bits = new Uint8Array(layer.outFeatures);
  for (let o = 0; o < layer.outFeatures; o++) bits[o] = binaryThresholdBit(pops[o], layer.threshold[o], layer.flip[o]);
  return packBits(bits);
}
