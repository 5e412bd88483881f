/** One channel's accumulator (popcount for binary layers, integer sum for integer-input layers), for explaining differences. */
import type { DenseB1Layer, DenseIntB1Layer } from '../ir/types.ts';
import { channelPopcount } from './ops/denseB1.ts';
import { integerAccumulator } from './ops/denseIntB1.ts';

export function layerAccumulator(layer: DenseB1Layer | DenseIntB1Layer, input: ArrayLike<number>, channel: number): number {
  return layer.kind === 'dense_b1'
    ? channelPopcount(input as Uint32Array, layer.weights, layer.inFeatures, layer.inGroup, channel)
    : integerAccumulator(input, layer.weights, layer.inFeatures, channel);
}
