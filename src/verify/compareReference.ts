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
import { getGroupedBit } from '../bitops.ts';
import { argmax, type EmulatorResult } from '../emulator/index.ts';
import { layerAccumulator } from '../emulator/accumulators.ts';
import type { LoweredModel } from '../ir/types.ts';
import { outputShape } from '../ir/types.ts';
import { convAccumulator, pooledAccumulator } from '../emulator/ops/conv2d.ts';
import type { ReferenceSample } from '../reference/index.ts';

export interface ReferenceStats {
  engine: string;
  /** Why `engine` is bnnc's interpreter for a graph onnxruntime would run (it is not installed, or not chosen); else null. */
  engineNote: string | null;
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

export function emptyReferenceStats(engine: string, engineNote: string | null = null): ReferenceStats {
  return {
    engine, engineNote, total: 0, argmaxEqual: 0, ties: 0, activations: { equal: 0, total: 0 },
    divergence: { sign0: 0, boundary: 0, unexplained: 0 }, logitTies: 0, firstUnexplained: null,
  };
}

/** Is the channel's accumulator within one step (or the reference's rounding) of its threshold? */
function atBoundary(model: LoweredModel, layerIndex: number, feature: number, layerInput: ArrayLike<number>): boolean {
  const layer = model.layers[layerIndex];
  switch (layer.kind) {
    case 'dense_b1': {
      const pop = layerAccumulator(layer, layerInput, feature);
      return pop === layer.threshold[feature] || pop === layer.threshold[feature] + 1;
    }
    case 'dense_int_b1':
      return withinRounding(layerAccumulator(layer, layerInput, feature), layer.threshold[feature], layer.inFeatures, layerInput);
    case 'conv2d_b1':
    case 'conv2d_int_b1': {
      const [, ow, oc] = layer.outShape;
      const o = feature % oc;
      const pixel = Math.floor(feature / oc);
      const acc = pooledAccumulator(layer, convAccumulator(layer, layerInput), o, Math.floor(pixel / ow), pixel % ow);
      if (layer.kind === 'conv2d_b1') return acc >= layer.threshold[o] - 2 && acc <= layer.threshold[o] + 1;
      return withinRounding(acc, layer.threshold[o], layer.kernel[0] * layer.kernel[1] * layer.inShape[2], layerInput);
    }
    default:
      // binarize_input is exact in float32 and maxpool_b1 has no arithmetic: no float effect can explain a difference.
      return false;
  }
}

/**
 * The reference sums n scaled inputs in float32: its error, in accumulator units,
 * is at most n * 2^-24 * sum|x_i| (the standard bound for recursive summation;
 * sum|x_i| over the whole input bounds it for any window). Within that distance
 * of the threshold the reference's rounding, not the model, decides the bit.
 */
function withinRounding(acc: number, threshold: number, n: number, input: ArrayLike<number>): boolean {
  let sumAbs = 0;
  for (let i = 0; i < input.length; i++) sumAbs += Math.abs(input[i]);
  const reach = Math.ceil(n * 2 ** -24 * sumAbs) + 1;
  return acc >= threshold - reach && acc <= threshold + reach - 1;
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
    const refOut = ref.layers[l].out;
    const group = outputShape(model.layers[l])[2];
    for (let f = 0; f < refOut.length; f++) {
      stats.activations.total++;
      const bit = getGroupedBit(bits, f, group);
      if ((refOut[f] > 0 && bit === 0) || (refOut[f] < 0 && bit === 1)) { stats.activations.equal++; continue; }
      if (cause !== null) continue; // later features of the diverging layer are still counted
      cause = refOut[f] === 0 ? 'sign0' : atBoundary(model, l, f, layerInput) ? 'boundary' : 'unexplained';
      stats.divergence[cause]++;
      if (cause === 'unexplained') {
        stats.firstUnexplained ??= `sample ${sample}, layer ${l} ("${model.layers[l].name}"), feature ${f}: `
          + `emulator ${bit ? -1 : +1}, reference ${refOut[f]} (value before the sign: ${ref.layers[l].pre[f]})`;
      }
    }
    layerInput = bits;
  }
  const equal = argmax(ref.logits) === emu.prediction;
  if (equal) stats.argmaxEqual++;
  else if (cause === null) stats.logitTies++;
  if (cause === 'sign0' || cause === 'boundary' || (!equal && cause === null)) stats.ties++;
}
