/**
 * L1 vs L0: the emulator against the float reference. Binary activations are
 * compared layer by layer; the first layer where a sample differs is
 * classified, and later layers of that sample are not compared (their inputs
 * already differ). Causes:
 *   - "sign(0)": the reference's sign saw exactly 0; ONNX Sign gives 0 where
 *     bnnc (and the trained network's quantizer) gives +1;
 *   - "boundary": the channel's exact integer accumulator is the last value on
 *     one side of the folded threshold, so the float reference's own rounding
 *     (float32 summation of scaled inputs, or another operation order in its
 *     batch-norm) decided that channel;
 *   - "unexplained": anything else. That is a bnnc bug and fails verification.
 */
import { getBit, wordsFor } from '../bitops.ts';
import { argmax, type EmulatorResult } from '../emulator/index.ts';
import { layerAccumulator } from '../emulator/accumulators.ts';
import type { LoweredModel } from '../ir/types.ts';
import type { ReferenceSample } from '../reference/index.ts';

export interface ReferenceStats {
  engine: string;
  total: number;
  argmaxEqual: number;
  /** Samples whose first differing activation is a sign(0) or boundary case. */
  ties: number;
  activations: { equal: number; total: number };
  divergence: { sign0: number; boundary: number; unexplained: number };
  /** Argmax differences on samples whose activations all agree (near-equal logits after fixed-point rounding). */
  logitTies: number;
  firstUnexplained: string | null;
}

export function emptyReferenceStats(engine: string): ReferenceStats {
  return {
    engine, total: 0, argmaxEqual: 0, ties: 0, activations: { equal: 0, total: 0 },
    divergence: { sign0: 0, boundary: 0, unexplained: 0 }, logitTies: 0, firstUnexplained: null,
  };
}

/** Is the channel's accumulator adjacent to its threshold (one step from flipping)? */
function atBoundary(model: LoweredModel, layerIndex: number, channel: number, layerInput: ArrayLike<number>): boolean {
  const layer = model.layers[layerIndex];
  if (layer.kind === 'dense_b1') {
    const pop = layerAccumulator(layer, layerInput, channel);
    return pop === layer.threshold[channel] || pop === layer.threshold[channel] + 1;
  }
  if (layer.kind === 'dense_int_b1') {
    // The reference sums the scaled inputs in float32: its error, in accumulator units, is at most
    // n * 2^-24 * sum|x_i| (the standard bound for recursive summation). Within that distance of
    // the threshold the reference's rounding, not the model, decides the bit.
    const acc = layerAccumulator(layer, layerInput, channel);
    let sumAbs = 0;
    for (let i = 0; i < layer.inFeatures; i++) sumAbs += Math.abs(layerInput[i]);
    const reach = Math.ceil(layer.inFeatures * 2 ** -24 * sumAbs) + 1;
    const t = layer.threshold[channel];
    return acc >= t - reach && acc <= t + reach - 1;
  }
  if (layer.kind === 'binarize_input') {
    // The comparison is exact in float32; only a different float input could change it.
    return false;
  }
  return false;
}

export function compareWithReference(
  model: LoweredModel, stats: ReferenceStats, sample: number, input: ArrayLike<number>,
  emu: EmulatorResult, ref: ReferenceSample,
): void {
  stats.total++;
  let cause: keyof ReferenceStats['divergence'] | null = null;
  let layerInput: ArrayLike<number> = input;
  for (let l = 0; l < emu.activations.length && cause === null; l++) {
    const bits = emu.activations[l];
    const refOut = ref.signs[l].out;
    if (wordsFor(refOut.length) !== bits.length) throw new Error('bnnc internal error: activation size mismatch');
    for (let c = 0; c < refOut.length; c++) {
      stats.activations.total++;
      const bit = getBit(bits, c);
      if ((refOut[c] > 0 && bit === 0) || (refOut[c] < 0 && bit === 1)) { stats.activations.equal++; continue; }
      if (cause !== null) continue; // later channels of the diverging layer are still counted
      cause = refOut[c] === 0 ? 'sign0' : atBoundary(model, l, c, layerInput) ? 'boundary' : 'unexplained';
      stats.divergence[cause]++;
      if (cause === 'unexplained') {
        stats.firstUnexplained ??= `sample ${sample}, layer ${l} ("${model.layers[l].name}"), channel ${c}: `
          + `emulator ${bit ? -1 : +1}, reference ${refOut[c]} (value before the sign: ${ref.signs[l].pre[c]})`;
      }
    }
    layerInput = bits;
  }
  const equal = argmax(ref.logits) === emu.prediction;
  if (equal) stats.argmaxEqual++;
  else if (cause === null) stats.logitTies++;
  if (cause === 'sign0' || cause === 'boundary' || (!equal && cause === null)) stats.ties++;
}
