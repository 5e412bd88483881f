/**
 * The emulator: the living definition of the lowered ops (L1). It runs the
 * lowered model with exactly the integer arithmetic of the C kernels; every
 * generated program is compared with it bit for bit. Each op's arithmetic
 * lives in its folder (src/ops/<kind>/emulate.ts).
 */
import type { LoweredModel } from '../ir/types.ts';
import { opFor } from '../ops/registry.ts';

export interface EmulatorResult {
  /** Predicted class: argmax of scores, ties to the lowest index. */
  prediction: number;
  scores: Int32Array;
  /** Packed output bits of every layer before the scores layer, in layer order. */
  activations: Uint32Array[];
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
    const bits = opFor(layer).emulate(layer, x, model) as Uint32Array;
    activations.push(bits);
    x = bits;
  }
  const last = model.layers[model.layers.length - 1];
  const scores = opFor(last).emulate(last, x, model) as Int32Array;
  return { prediction: argmax(scores), scores, activations };
}
