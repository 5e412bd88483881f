/**
 * dense_b1: bit[o] = (popcount(x ^ w_o) > T[o]) XOR flip[o]; also the popcounts for scores layers.
 * Word by word on the packed vectors, as the C row engine (runtime/bnn_popcount_*.h).
 */
import { binaryThresholdBit, packedWords, popcount32, wordsFor, xorPopcount } from '../../bitops.ts';
import type { DenseB1Layer } from './index.ts';

/** popcount(x ^ w_o) of output channel o; the input is packed `inGroup` channels per pixel. */
export function channelPopcount(x: Uint32Array, weights: Uint32Array, inFeatures: number, inGroup: number, o: number): number {
  const words = packedWords(inFeatures, inGroup);
  return xorPopcount(x, 0, weights, o * words, words);
}

export function popcounts(x: Uint32Array, weights: Uint32Array, inFeatures: number, outFeatures: number, inGroup = inFeatures): Int32Array {
  const words = packedWords(inFeatures, inGroup);
  const pops = new Int32Array(outFeatures);
  for (let o = 0, row = 0; o < outFeatures; o++, row += words) {
    let pop = 0;
    for (let k = 0; k < words; k++) pop += popcount32((x[k] ^ weights[row + k]) >>> 0);
    pops[o] = pop;
  }
  return pops;
}

export function denseB1(layer: DenseB1Layer, x: Uint32Array): Uint32Array {
  const pops = popcounts(x, layer.weights, layer.inFeatures, layer.outFeatures, layer.inGroup);
  const out = new Uint32Array(wordsFor(layer.outFeatures));
  for (let o = 0; o < layer.outFeatures; o++) out[o >>> 5] |= binaryThresholdBit(pops[o], layer.threshold[o], layer.flip[o]) << (o & 31);
  return out;
}
