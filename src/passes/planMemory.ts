/**
 * Activation arena for sequential execution. The model input and the scores
 * live in caller buffers; the packed activations between layers, and the
 * scratch of integer-input layers (the input's bit planes), share one static
 * arena. Outputs alternate between the two ends of the arena, with the scratch
 * next to the output, so a layer's input, output and scratch never overlap and
 * the arena is exactly the lower bound max_i(in_i + out_i + scratch_i).
 */
import { packedWords, wordsFor } from '../bitops.ts';
import type { LoweredLayer, LoweredModel, MemoryPlan, Model } from '../ir/types.ts';
import { LOWERED_KINDS } from '../ir/types.ts';
import type { Pass } from './pass.ts';
import { layerError } from './pass.ts';

/** Bytes of a layer's arena output (packed bits), or 0 when it writes to the caller's scores. */
export function outputBytes(layer: LoweredLayer): number {
  switch (layer.kind) {
    case 'binarize_input':
      return 4 * packedWords(layer.features, layer.shape[2]);
    case 'conv2d_b1':
    case 'conv2d_int_b1':
    case 'maxpool_b1':
      return 4 * layer.outShape[0] * layer.outShape[1] * wordsFor(layer.outShape[2]);
    case 'dense_b1':
    case 'dense_int_b1':
      return 4 * wordsFor(layer.outFeatures);
    default:
      return 0;
  }
}

/**
 * Scratch bytes of a layer: for an integer-input dense layer the input's 8 bit
 * planes and an all-zero plane (bnn_dense_*8_b1.c); for a convolution one
 * gathered patch and two int32 per output channel (bnn_conv2d_*.c).
 */
export function scratchBytes(layer: LoweredLayer): number {
  switch (layer.kind) {
    case 'dense_int_b1':
    case 'dense_int_scores':
      return 9 * 4 * wordsFor(layer.inFeatures);
    case 'conv2d_b1':
      return 4 * (layer.kernel[0] * layer.kernel[1] * wordsFor(layer.inShape[2]) + 2 * layer.outShape[2]);
    case 'conv2d_int_b1':
      return 4 * (layer.kernel[0] * layer.kernel[1] * layer.inShape[2] + 2 * layer.outShape[2]);
    default:
      return 0;
  }
}

export function plan(layers: LoweredLayer[]): MemoryPlan {
  const sizes = layers.map(outputBytes);
  const scratch = layers.map(scratchBytes);
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
