/**
 * Activation arena for sequential execution. The model input and the scores
 * live in caller buffers; the packed activations between layers share one
 * static arena. Outputs alternate between the two ends of the arena, so a
 * layer's input and output never overlap and the arena is exactly the lower
 * bound max_i(in_i + out_i) over the layers whose both sides are in the arena.
 */
import { wordsFor } from '../bitops.ts';
import type { LoweredLayer, LoweredModel, MemoryPlan, Model } from '../ir/types.ts';
import { LOWERED_KINDS } from '../ir/types.ts';
import type { Pass } from './pass.ts';
import { layerError } from './pass.ts';

/** Bytes of a layer's arena output (packed bits), or 0 when it writes to the caller's scores. */
export function outputBytes(layer: LoweredLayer): number {
  switch (layer.kind) {
    case 'binarize_input':
      return 4 * wordsFor(layer.features);
    case 'dense_b1':
    case 'dense_int_b1':
      return 4 * wordsFor(layer.outFeatures);
    default:
      return 0;
  }
}

export function plan(layers: LoweredLayer[]): MemoryPlan {
  const sizes = layers.map(outputBytes);
  const inputs = sizes.map((_, i) => (i === 0 ? 0 : sizes[i - 1]));
  const arenaBytes = Math.max(0, ...sizes.map((s, i) => s + inputs[i]));
  const planned: MemoryPlan['layers'] = [];
  let previousOutput = -1;
  layers.forEach((layer, i) => {
    const atStart = previousOutput !== 0; // put the output at the end opposite to the input
    const outputOffset = sizes[i] === 0 ? -1 : atStart ? 0 : arenaBytes - sizes[i];
    planned.push({ name: layer.name, inputOffset: i === 0 ? -1 : previousOutput, inputBytes: inputs[i], outputOffset, outputBytes: sizes[i] });
    previousOutput = outputOffset;
  });
  return { arenaBytes, lowerBoundBytes: arenaBytes, layers: planned };
}

export const planMemory: Pass = {
  name: 'planMemory',
  description: 'place every packed activation in one static arena (ping-pong at both ends; size = lower bound)',
  run(model: Model): LoweredModel {
    const notLowered = model.layers.find((l) => !LOWERED_KINDS.has(l.kind));
    if (notLowered) {
      throw layerError(model, notLowered, `"${notLowered.kind}" layer left after lowering`,
        'a network of the form [scale -> sign] -> (dense -> BatchNorm -> sign)* -> dense [-> BatchNorm] [-> ArgMax]');
    }
    const layers = model.layers as LoweredLayer[];
    if (layers.length === 0) throw layerError(model, model.layers[0] ?? { name: model.name, sources: [] } as never, 'no layers', 'at least one dense layer');
    const last = layers[layers.length - 1];
    if (last.kind !== 'dense_b1_scores' && last.kind !== 'dense_int_scores') {
      throw layerError(model, last, 'the network ends with a binary activation', 'a last dense layer producing class scores');
    }
    return { ...model, layers, memory: plan(layers) };
  },
};
