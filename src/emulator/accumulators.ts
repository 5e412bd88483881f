/** One channel's accumulator (popcount for binary layers, integer sum for integer-input layers), for explaining differences. */
import { getBit, wordsFor, xorPopcount } from '../bitops.ts';
import type { DenseB1Layer, DenseIntB1Layer } from '../ir/types.ts';

export function layerAccumulator(layer: DenseB1Layer | DenseIntB1Layer, input: ArrayLike<number>, channel: number): number {
  const words = wordsFor(layer.inFeatures);
  if (layer.kind === 'dense_b1') return xorPopcount(input as Uint32Array, 0, layer.weights, channel * words, words);
  let sum = 0;
  for (let i = 0; i < layer.inFeatures; i++) sum += getBit(layer.weights, i, channel * words) ? -input[i] : input[i];
  return sum;
}
