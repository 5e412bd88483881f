/**
 * Activation arena for sequential execution. The model input and the scores
 * live in caller buffers; the packed activations between layers, and each
 * layer's scratch (the input's bit planes of an integer-input dense layer, the
 * gathered patch and per-channel sums of a convolution; sizes from each op,
 * src/ops/<kind>/index.ts), share one static arena. Outputs alternate between
 * the two ends of the arena, with the scratch next to the output, so a layer's
 * input, output and scratch never overlap and the arena is exactly the lower
 * bound max_i(in_i + out_i + scratch_i).
 */
import type { LoweredLayer, LoweredModel, MemoryPlan, Model } from '../ir/types.ts';
import { isLowered, isScoresLayer, opFor } from '../ops/registry.ts';
import type { Pass } from './pass.ts';
import { layerError } from './pass.ts';

export function plan(layers: LoweredLayer[]): MemoryPlan {
  const sizes = layers.map((l) => opFor(l).outputBytes(l));
  const scratch = layers.map((l) => opFor(l).scratchBytes(l));
  const inputs = sizes.map((_, i) => (i === 0 ? 0 : sizes[i - 1]));
  const arenaBytes = Math.max(0, ...sizes.map((s, i) => s + inputs[i] + scratch[i]));
  const planned: MemoryPlan['layers'] = [];
  let previousOutput = -1;
  layers.forEach((layer, i) => {
    // The output sits at the very end opposite to the input, its scratch on the inner side,
    // so the next layer finds its input at an end of the arena again.
    const atStart = previousOutput !== 0;
    const outputOffset = atStart ? 0 : arenaBytes - sizes[i];
    const scratchOffset = atStart ? sizes[i] : arenaBytes - sizes[i] - scratch[i];
    planned.push({
      name: layer.name,
      inputOffset: i === 0 ? -1 : previousOutput,
      inputBytes: inputs[i],
      outputOffset: sizes[i] === 0 ? -1 : outputOffset,
      outputBytes: sizes[i],
      scratchOffset: scratch[i] === 0 ? -1 : scratchOffset,
      scratchBytes: scratch[i],
    });
    previousOutput = sizes[i] === 0 ? -1 : outputOffset;
  });
  return { arenaBytes, lowerBoundBytes: arenaBytes, layers: planned };
}

export const planMemory: Pass = {
  name: 'planMemory',
  description: 'place every packed activation in one static arena (ping-pong at both ends; size = lower bound)',
  run(model: Model): LoweredModel {
    const notLowered = model.layers.find((l) => !isLowered(l));
    if (notLowered) {
      throw layerError(model, notLowered, `"${notLowered.kind}" layer left after lowering`,
        'a network of the form [scale -> sign] -> (dense -> BatchNorm -> sign)* -> dense [-> BatchNorm] [-> ArgMax]');
    }
    const layers = model.layers as LoweredLayer[];
    if (layers.length === 0) throw layerError(model, model.layers[0] ?? { name: model.name, sources: [] } as never, 'no layers', 'at least one dense layer');
    const last = layers[layers.length - 1];
    if (!isScoresLayer(last)) {
      throw layerError(model, last, 'the network ends with a binary activation', 'a last dense layer producing class scores');
    }
    return { ...model, layers, memory: plan(layers) };
  },
};
