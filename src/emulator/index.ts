/**
 * The emulator: the living definition of the lowered ops (L1). It runs the
 * lowered model with exactly the integer arithmetic of the C kernels; every
 * generated program is compared with it bit for bit.
 */
import type { LoweredLayer, LoweredModel } from '../ir/types.ts';
import { binarizeInput } from './ops/binarizeInput.ts';
import { conv2dB1, conv2dIntB1 } from './ops/conv2d.ts';
import { maxpoolB1 } from './ops/maxpoolB1.ts';
import { denseB1 } from './ops/denseB1.ts';
import { denseIntB1 } from './ops/denseIntB1.ts';
import { denseB1Scores, denseIntScores } from './ops/scores.ts';

export interface EmulatorResult {
  /** Predicted class: argmax of scores, ties to the lowest index. */
  prediction: number;
  scores: Int32Array;
  /** Packed output bits of every layer before the scores layer, in layer order. */
  activations: Uint32Array[];
}

function runLayer(model: LoweredModel, layer: LoweredLayer, x: ArrayLike<number>): Uint32Array | Int32Array {
  switch (layer.kind) {
    case 'binarize_input': return binarizeInput(layer, x, model.input.dtype === 'float32');
    case 'dense_int_b1': return denseIntB1(layer, x);
    case 'conv2d_b1': return conv2dB1(layer, x as Uint32Array);
    case 'conv2d_int_b1': return conv2dIntB1(layer, x);
    case 'maxpool_b1': return maxpoolB1(layer, x as Uint32Array);
    case 'dense_b1': return denseB1(layer, x as Uint32Array);
    case 'dense_b1_scores': return denseB1Scores(layer, x as Uint32Array);
    case 'dense_int_scores': return denseIntScores(layer, x);
  }
}

export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

/** Runs one sample. `input` holds the device input values (integers for uint8/int8, float32 otherwise). */
export function emulate(model: LoweredModel, input: ArrayLike<number>): EmulatorResult {
  const activations: Uint32Array[] = [];
  let x: ArrayLike<number> = input;
  for (const layer of model.layers.slice(0, -1)) {
    const bits = runLayer(model, layer, x) as Uint32Array;
    activations.push(bits);
    x = bits;
  }
  const scores = runLayer(model, model.layers[model.layers.length - 1], x) as Int32Array;
  return { prediction: argmax(scores), scores, activations };
}
