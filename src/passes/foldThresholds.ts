/**
 * dense -> [affine] -> sign  becomes one thresholded layer:
 *   binary input:  bit = (popcount(x ^ w) > T) XOR flip   (dense_b1)
 *   uint8/int8 input (first layer, optionally after a scalar input scaling):
 *                  bit = (acc < T) XOR flip               (dense_int_b1)
 * T and flip reproduce, for every reachable accumulator value, the sign of the
 * float32 chain the reference computes (see monotone.ts for why bisection is exact).
 */
import { packSigns } from '../bitops.ts';
import type { AffineLayer, AffineStep, DenseLayer, Layer, LoweredLayer, Model, SignLayer, Thresholds } from '../ir/types.ts';
import { applySteps, composeSteps } from './affine.ts';
import { integerAccumulatorRange, isIntegerInput } from './inputRange.ts';
import { findBoundary } from './monotone.ts';
import type { Pass } from './pass.ts';
import { layerError } from './pass.ts';

const BIT_PRODUCERS = new Set<Layer['kind']>(['binarize_input', 'dense_b1', 'dense_int_b1']);

/** Float value of channel o before the sign, as a function of the exact dot product / accumulator. */
type PreActivation = (o: number, acc: number) => number;

export function thresholdsForBinary(n: number, outFeatures: number, pre: PreActivation, steps: readonly AffineStep[]): Thresholds {
  const threshold = new Int32Array(outFeatures);
  const flip = new Uint8Array(outFeatures);
  for (let o = 0; o < outFeatures; o++) {
    // neg(pop): the channel outputs -1 for this popcount (dot = n - 2 pop)
    const neg = (pop: number) => applySteps(pre(o, n - 2 * pop), steps, o) < 0;
    const b = findBoundary(0, n, neg);
    if (b.atLow === b.atHigh) { threshold[o] = n; flip[o] = b.atLow ? 1 : 0; continue; }
    threshold[o] = b.firstHigh - 1;
    flip[o] = b.atLow ? 1 : 0; // -1 at low popcount (high dot): inverted comparison
  }
  return { threshold, flip };
}

export function thresholdsForInteger(ranges: [number, number][], pre: PreActivation, steps: readonly AffineStep[]): Thresholds {
  const threshold = new Int32Array(ranges.length);
  const flip = new Uint8Array(ranges.length);
  ranges.forEach(([min, max], o) => {
    const neg = (acc: number) => applySteps(pre(o, acc), steps, o) < 0;
    const b = findBoundary(min, max, neg);
    if (b.atLow === b.atHigh) { threshold[o] = min; flip[o] = b.atLow ? 1 : 0; return; }
    threshold[o] = b.firstHigh;
    flip[o] = b.atLow ? 0 : 1; // -1 below T unless the channel is decreasing
  });
  return { threshold, flip };
}

function requireNoNaN(model: Model, layer: Layer, t: Thresholds, check: (o: number) => boolean): void {
  for (let o = 0; o < t.threshold.length; o++) {
    if (!check(o)) throw layerError(model, layer, `channel ${o} evaluates to NaN`, 'finite batch-norm/scale constants');
  }
}

/** The scalar input scaling x' = a*v + b in front of the first dense layer. */
function inputScaling(model: Model, layer: AffineLayer | undefined): { a: number; b: number } {
  if (!layer) return { a: 1, b: 0 };
  if (layer.steps.some((s) => s.value.length !== 1)) {
    throw layerError(model, layer, 'per-feature input scaling in front of an integer-input layer', 'one scale and offset for all input features',
      'scale the data instead (bnnc verify --data-scale/--data-offset) or declare --input-type float32 with a binarized input');
  }
  return composeSteps(layer.steps, 0);
}

export const foldThresholds: Pass = {
  name: 'foldThresholds',
  description: 'fold dense -> affine (BatchNorm, scaling) -> sign into integer thresholds and flips per channel, packing the weights',
  run(model) {
    const out: Layer[] = [];
    const src = model.layers;
    for (let i = 0; i < src.length; i++) {
      const first = src[i];
      const leadingScale = first.kind === 'affine' && out.length === 0 && src[i + 1]?.kind === 'dense' ? first : undefined;
      const di = leadingScale ? i + 1 : i;
      const dense = src[di];
      if (dense?.kind !== 'dense') { out.push(first); continue; }
      const post = src[di + 1]?.kind === 'affine' ? (src[di + 1] as AffineLayer) : undefined;
      const sign = src[di + (post ? 2 : 1)];
      if (sign?.kind !== 'sign') { out.push(first); continue; } // the scores layer: foldScores
      out.push(lowerThresholdedDense(model, out.at(-1), leadingScale, dense, post, sign));
      i = di + (post ? 2 : 1);
    }
    return { ...model, layers: out };
  },
};

function lowerThresholdedDense(model: Model, prev: Layer | undefined, scale: AffineLayer | undefined, dense: DenseLayer,
  post: AffineLayer | undefined, sign: SignLayer): LoweredLayer {
  const steps = post?.steps ?? [];
  const bias = dense.bias;
  const name = dense.name;
  const sources = [...(scale?.sources ?? []), ...dense.sources, ...(post?.sources ?? []), ...sign.sources];
  const weights = packRows(dense);
  if (prev && BIT_PRODUCERS.has(prev.kind)) {
    if (scale) throw layerError(model, scale, 'scaling between binary layers', 'sign -> dense');
    const pre: PreActivation = (o, dot) => Math.fround(dot + (bias ? bias[o] : 0));
    const t = thresholdsForBinary(dense.inFeatures, dense.outFeatures, pre, steps);
    requireNoNaN(model, dense, t, (o) => !Number.isNaN(applySteps(pre(o, 0), steps, o)));
    return { kind: 'dense_b1', name, sources, inFeatures: dense.inFeatures, outFeatures: dense.outFeatures, weights, ...t };
  }
  if (prev) throw layerError(model, dense, `a dense layer after "${prev.name}" (${prev.kind})`, 'a dense layer after a sign or at the model input');
  const dtype = model.input.dtype;
  if (!isIntegerInput(dtype)) {
    throw layerError(model, dense, 'the first dense layer takes float input', 'uint8 or int8 device input, or a binarized input (sign before the first layer)',
      'declare the device input type: --input-type uint8 (or int8), or the ONNX metadata bnnc.input_type');
  }
  const { a, b } = inputScaling(model, scale);
  const rowSum = (o: number) => { let s = 0; for (let k = 0; k < dense.inFeatures; k++) s += dense.weight[o * dense.inFeatures + k]; return s; };
  const offsets = Float64Array.from({ length: dense.outFeatures }, (_, o) => b * rowSum(o) + (bias ? bias[o] : 0));
  const pre: PreActivation = (o, acc) => Math.fround(a * acc + offsets[o]);
  const ranges = Array.from({ length: dense.outFeatures }, (_, o) =>
    integerAccumulatorRange(dense.weight.subarray(o * dense.inFeatures, (o + 1) * dense.inFeatures), dtype));
  const t = thresholdsForInteger(ranges, pre, steps);
  requireNoNaN(model, dense, t, (o) => !Number.isNaN(applySteps(pre(o, 0), steps, o)));
  return { kind: 'dense_int_b1', name, sources, inputDType: dtype, inFeatures: dense.inFeatures, outFeatures: dense.outFeatures, weights, ...t };
}

/** Packs the +/-1 weight rows (checked by checkBinaryWeights) into bit rows. */
export function packRows(dense: DenseLayer): Uint32Array {
  const wordsPerRow = Math.ceil(dense.inFeatures / 32);
  const packed = new Uint32Array(wordsPerRow * dense.outFeatures);
  for (let o = 0; o < dense.outFeatures; o++) {
    packed.set(packSigns(dense.weight.subarray(o * dense.inFeatures, (o + 1) * dense.inFeatures)), o * wordsPerRow);
  }
  return packed;
}
