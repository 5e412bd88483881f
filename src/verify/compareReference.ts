/**
 * L1 vs L0: the emulator against the float reference. Binary activations are
 * compared layer by layer; the first layer where a sample differs is
 * classified, and later layers of that sample are not compared (their inputs
 * already differ). Causes:
 *   - "sign(0)": the reference's sign saw exactly +-0 (not NaN); ONNX Sign
 *     gives 0 where bnnc (and the trained network's quantizer) gives +1;
 *   - "boundary": a layer where the reference itself rounds before the affine
 *     chain (integer inputs, an average pool over biased positions, a
 *     fractional Gemm bias), and the channel's accumulator lies within the
 *     error bound computed for that layer's float32 operations. Binary layers
 *     without such rounding have no boundary ties at all;
 *   - "near-equal logits" (after the activations): every activation agrees
 *     and the reference's two logits lie within the scores layer's stated bound;
 *   - "unexplained": anything else. That is a bnnc bug and fails verification.
 */
import { getGroupedBit } from '../bitops.ts';
import { argmax, type EmulatorResult } from '../emulator/index.ts';
import type { LoweredModel } from '../ir/types.ts';
import { isScoresLayer, opFor, outputShape } from '../ops/registry.ts';
import type { ReferenceSample } from '../reference/index.ts';

export interface ReferenceStats {
  engine: string;
  /** Why `engine` is bnnc's interpreter for a graph onnxruntime would run (it is not installed, or not chosen); else null. */
  engineNote: string | null;
  total: number;
  argmaxEqual: number;
  /** Samples whose first differing activation is a sign(0) or boundary tie, plus the logit ties. */
  ties: number;
  activations: { equal: number; total: number };
  divergence: { sign0: number; boundary: number; unexplained: number };
  /**
   * Argmax differences on samples whose activations all agree and whose
   * reference logits (its top class and bnnc's) differ by at most `logitBound`.
   * A larger difference is unexplained.
   */
  logitTies: number;
  /** The bound used for logit ties, in reference logit units (fixed-point plus float32 rounding, passes/foldScores.ts). */
  logitBound: number;
  firstUnexplained: string | null;
  /** Per layer where ties occurred: the samples whose first difference is a sign(0) or a boundary tie there. */
  tiesPerLayer: LayerTies[];
}

export interface LayerTies {
  layer: string;
  kind: string;
  sign0: number;
  boundary: number;
}

type Cause = keyof ReferenceStats['divergence'];

export function emptyReferenceStats(engine: string, engineNote: string | null = null): ReferenceStats {
  return {
    engine, engineNote, total: 0, argmaxEqual: 0, ties: 0, activations: { equal: 0, total: 0 },
    divergence: { sign0: 0, boundary: 0, unexplained: 0 }, logitTies: 0, logitBound: 0, firstUnexplained: null, tiesPerLayer: [],
  };
}

/**
 * Is the channel's accumulator within the reference's own rounding of the
 * folded boundary? Only layers where the reference really rounds before the
 * affine chain carry a reach (computed at lowering from the layer's float32
 * operations, passes/referenceRounding.ts); in every other layer (binary dense
 * and conv, binary max-pool, binarized input) the reference is exact and a
 * disagreement is never a tie. Each op decides for its own accumulator
 * (src/ops/<kind>/index.ts withinReferenceRounding).
 */
function withinReferenceRounding(model: LoweredModel, layerIndex: number, feature: number, layerInput: ArrayLike<number>): boolean {
  const layer = model.layers[layerIndex];
  return opFor(layer).withinReferenceRounding(layer, feature, layerInput);
}

/**
 * Why a binary activation differs. sign(0) only when the reference's sign saw
 * exactly +0 or -0 (ONNX Sign(0) = 0, bnnc's +1); a NaN there is unexplained.
 */
function classify(model: LoweredModel, l: number, f: number, layerInput: ArrayLike<number>, refPre: number): Cause {
  const layer = model.layers[l];
  // A layer the reference computes without a sign of its own (a max-pool of +-1 values) has no sign(0).
  if (refPre === 0 && opFor(layer).referenceSign) return 'sign0';
  return withinReferenceRounding(model, l, f, layerInput) && withinSlack(model, l, f, refPre, layerInput) ? 'boundary' : 'unexplained';
}

/**
 * A rounding tie also needs the reference's own value at the sign to be within
 * the slack its rounding allows (referenceSlack): a lattice point next to the
 * threshold whose reference value is clearly signed is decided by the model, so
 * a disagreement there is a wrong threshold, not rounding.
 */
function withinSlack(model: LoweredModel, l: number, f: number, refPre: number, layerInput: ArrayLike<number>): boolean {
  const layer = model.layers[l];
  const perSample = opFor(layer).referenceSlackAt?.(layer, f, layerInput);
  if (perSample !== undefined) return Math.abs(refPre) <= perSample;
  if (!('referenceSlack' in layer) || !layer.referenceSlack) return true;
  const channel = 'outShape' in layer ? f % layer.outShape[2] : f;
  return Math.abs(refPre) <= layer.referenceSlack[channel];
}

function countLayerTie(stats: ReferenceStats, model: LoweredModel, l: number, cause: 'sign0' | 'boundary'): void {
  const layer = model.layers[l];
  let entry = stats.tiesPerLayer.find((t) => t.layer === layer.name);
  if (!entry) {
    entry = { layer: layer.name, kind: layer.kind, sign0: 0, boundary: 0 };
    stats.tiesPerLayer.push(entry);
  }
  entry[cause]++;
}

/** The scores layer's stated logit bound (reference logit units); 0 when the scores are exact. */
function logitBound(model: LoweredModel): number {
  const last = model.layers[model.layers.length - 1];
  return isScoresLayer(last) ? last.logitBound ?? 0 : 0;
}

export function compareWithReference(
  model: LoweredModel, stats: ReferenceStats, sample: number, input: ArrayLike<number>,
  emu: EmulatorResult, ref: ReferenceSample,
): void {
  stats.total++;
  let cause: Cause | null = null;
  let layerInput: ArrayLike<number> = input;
  for (let l = 0; l < emu.activations.length && cause === null; l++) {
    const bits = emu.activations[l];
    const refOut = ref.layers[l].out;
    const group = outputShape(model.layers[l])[2];
    // Every differing feature of the first diverging layer is classified: one tie must not hide an unexplained difference beside it.
    let first: { f: number; bit: number } | null = null;
    for (let f = 0; f < refOut.length; f++) {
      stats.activations.total++;
      const bit = getGroupedBit(bits, f, group);
      if ((refOut[f] > 0 && bit === 0) || (refOut[f] < 0 && bit === 1)) { stats.activations.equal++; continue; }
      if (cause === 'unexplained') continue; // later features of the diverging layer are still counted
      const why = classify(model, l, f, layerInput, ref.layers[l].pre[f]);
      if (cause === null || why === 'unexplained') { cause = why; first = { f, bit }; }
    }
    if (cause !== null && first) {
      stats.divergence[cause]++;
      if (cause !== 'unexplained') countLayerTie(stats, model, l, cause);
      else {
        stats.firstUnexplained ??= `sample ${sample}, layer ${l} ("${model.layers[l].name}"), feature ${first.f}: `
          + `emulator ${first.bit ? -1 : +1}, reference ${refOut[first.f]} (value before the sign: ${ref.layers[l].pre[first.f]})`;
      }
    }
    layerInput = bits;
  }
  const refClass = argmax(ref.logits);
  const bound = logitBound(model);
  stats.logitBound = bound;
  let logitTie = false;
  if (refClass === emu.prediction) stats.argmaxEqual++;
  else if (cause === null) {
    // Every activation agrees: only the scores can explain it, within the bound stated at lowering.
    const gap = ref.logits[refClass] - ref.logits[emu.prediction];
    logitTie = gap <= bound;
    if (logitTie) stats.logitTies++;
    else {
      stats.divergence.unexplained++;
      stats.firstUnexplained ??= `sample ${sample}: emulator class ${emu.prediction}, reference class ${refClass}; `
        + `the reference's logits differ by ${gap}, more than the fixed-point bound ${bound}`;
    }
  }
  if (cause === 'sign0' || cause === 'boundary' || logitTie) stats.ties++;
}
