/** dense_b1: bit[o] = (popcount(x ^ w_o) > T[o]) XOR flip[o]; also the popcounts for scores layers. */
import { binaryThresholdBit, packBits, packedWords, xorPopcount } from '../../bitops.ts';
import type { DenseB1Layer } from './index.ts';

/** popcount(x ^ w_o) of output channel o; the input is packed `inGroup` channels per pixel. */
export function channelPopcount(x: Uint32Array, weights: Uint32Array, inFeatures: number, inGroup: number, o: number): number {
  const words = packedWords(inFeatures, inGroup);
  return xorPopcount(x, 0, weights, o * words, words);
}

export function popcounts(x: Uint32Array, weights: Uint32Array, inFeatures: number, outFeatures: number, inGroup = inFeatures): Int32Array {
  return Int32Array.from({ length: outFeatures }, (_, o) => channelPopcount(x, weights, inFeatures, inGroup, o));
}

export function denseB1(layer: DenseB1Layer, x: Uint32Array): Uint32Array {
  const pops = popcounts(x, layer.weights, layer.inFeatures, layer.outFeatures, layer.inGroup);
  const bits = new Uint8Array(layer.outFeatures);
  for (let o = 0; o < layer.outFeatures; o++) bits[o] = binaryThresholdBit(pops[o], layer.threshold[o], layer.flip[o]);
  return packBits(bits);
}
