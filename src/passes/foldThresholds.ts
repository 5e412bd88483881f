/**
 * dense|conv -> [maxpool] -> [affine] -> sign  becomes one thresholded layer:
 *   binary dense:  bit = (popcount(x ^ w) > T) XOR flip          (dense_b1)
 *   binary conv:   bit = (dot < T) XOR flip, dot over the valid taps (conv2d_b1)
 *   uint8/int8 input (first layer, optionally after a scalar input scaling):
 *                  bit = (acc < T) XOR flip                       (dense_int_b1, conv2d_int_b1)
 * T and flip reproduce, for every reachable accumulator value, the sign of the
 * float32 chain the reference computes (see monotone.ts for why bisection is
 * exact). A max-pool between the convolution and the sign is fused: the layer
 * pools the accumulators, then thresholds. A max-pool after a sign becomes
 * maxpool_b1 (AND of the bits).
 */
import { packGrouped, packSigns } from '../bitops.ts';
import type {
  AffineLayer, AffineStep, AvgPoolLayer, Conv2dLayer, DenseLayer, Hwc, Layer, LoweredLayer, MaxPoolLayer, Model, SignLayer, Thresholds,
} from '../ir/types.ts';
import { outputShape } from '../ir/types.ts';
import { applySteps, composeSteps } from './affine.ts';
import { inputValueRange, integerAccumulatorRange, isIntegerInput } from './inputRange.ts';
import { findBoundary } from './monotone.ts';
import type { Pass } from './pass.ts';
import { layerError } from './pass.ts';

const BIT_PRODUCERS = new Set<Layer['kind']>(['binarize_input', 'dense_b1', 'dense_int_b1', 'conv2d_b1', 'conv2d_int_b1', 'maxpool_b1']);

export function producesBits(layer: Layer | undefined): boolean {
  return layer !== undefined && BIT_PRODUCERS.has(layer.kind);
}

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

/** The scalar input scaling x' = a*v + b in front of the first layer. */
function inputScaling(model: Model, layer: AffineLayer | undefined): { a: number; b: number } {
  if (!layer) return { a: 1, b: 0 };
  if (layer.steps.some((s) => s.value.length !== 1)) {
    throw layerError(model, layer, 'per-feature input scaling in front of an integer-input layer', 'one scale and offset for all input features',
      'scale the data instead (bnnc verify --data-scale/--data-offset) or declare --input-type float32 with a binarized input');
  }
  return composeSteps(layer.steps, 0);
}

/** Packs the +/-1 rows of a weight matrix, `group` values per pixel (NHWC packing). */
export function packRowsGrouped(weight: Float32Array, rows: number, rowLength: number, group: number): Uint32Array {
  const bits = new Uint8Array(rowLength);
  const chunks: Uint32Array[] = [];
  for (let o = 0; o < rows; o++) {
    for (let i = 0; i < rowLength; i++) bits[i] = weight[o * rowLength + i] < 0 ? 1 : 0;
    chunks.push(packGrouped(bits, group));
  }
  const out = new Uint32Array(chunks.reduce((s, c) => s + c.length, 0));
  chunks.reduce((off, c) => { out.set(c, off); return off + c.length; }, 0);
  return out;
}

/** Packs the +/-1 weight rows (checked by checkBinaryWeights) of a dense layer on a flat input. */
export function packRows(dense: DenseLayer): Uint32Array {
  const wordsPerRow = Math.ceil(dense.inFeatures / 32);
  const packed = new Uint32Array(wordsPerRow * dense.outFeatures);
  for (let o = 0; o < dense.outFeatures; o++) {
    packed.set(packSigns(dense.weight.subarray(o * dense.inFeatures, (o + 1) * dense.inFeatures)), o * wordsPerRow);
  }
  return packed;
}

/** The layout of the input of the layer at `out.length`: the previous lowered layer's output, or the model input. */
function inputShapeAfter(model: Model, prev: Layer | undefined): Hwc {
  if (prev) return outputShape(prev);
  const s = model.input.shape;
  return s.length === 3 ? [s[1], s[2], s[0]] : [1, 1, model.input.features];
}

interface Match {
  scale?: AffineLayer;
  core: DenseLayer | Conv2dLayer;
  pool?: MaxPoolLayer | AvgPoolLayer;
  post?: AffineLayer;
  sign: SignLayer;
  consumed: number;
}

/** Matches [scale] (dense|conv) [maxpool] [affine] sign at position i. */
function match(src: Layer[], i: number, atStart: boolean): Match | null {
  let k = i;
  const scale = src[k].kind === 'affine' && atStart && (src[k + 1]?.kind === 'dense' || src[k + 1]?.kind === 'conv2d') ? (src[k++] as AffineLayer) : undefined;
  const core = src[k];
  if (core?.kind !== 'dense' && core?.kind !== 'conv2d') return null;
  k++;
  const pool = core.kind === 'conv2d' && (src[k]?.kind === 'maxpool' || src[k]?.kind === 'avgpool') ? (src[k++] as MaxPoolLayer | AvgPoolLayer) : undefined;
  const post = src[k]?.kind === 'affine' ? (src[k++] as AffineLayer) : undefined;
  const sign = src[k];
  if (sign?.kind !== 'sign') return null;
  return { scale, core, pool, post, sign, consumed: k - i + 1 };
}

export const foldThresholds: Pass = {
  name: 'foldThresholds',
  description: 'fold dense/conv -> [max-pool] -> affine (BatchNorm, scaling) -> sign into integer thresholds and flips per channel, packing the weights',
  run(model) {
    const out: Layer[] = [];
    const src = model.layers;
    for (let i = 0; i < src.length; i++) {
      const layer = src[i];
      if (layer.kind === 'maxpool' && producesBits(out.at(-1))) {
        out.push(binaryMaxPool(model, layer));
        continue;
      }
      const m = match(src, i, out.length === 0);
      if (!m) { out.push(layer); continue; }
      out.push(m.core.kind === 'dense' ? lowerThresholdedDense(model, out.at(-1), m) : lowerThresholdedConv(model, out.at(-1), m));
      i += m.consumed - 1;
    }
    return { ...model, layers: out };
  },
};

function binaryMaxPool(model: Model, layer: MaxPoolLayer): LoweredLayer {
  return { kind: 'maxpool_b1', name: layer.name, sources: layer.sources, inShape: layer.inShape, outShape: layer.outShape, kernel: layer.kernel, stride: layer.stride };
}

function sourcesOf(m: Match): string[] {
  return [...(m.scale?.sources ?? []), ...m.core.sources, ...(m.pool?.sources ?? []), ...(m.post?.sources ?? []), ...m.sign.sources];
}

function lowerThresholdedDense(model: Model, prev: Layer | undefined, m: Match): LoweredLayer {
  const dense = m.core as DenseLayer;
  const steps = m.post?.steps ?? [];
  const bias = dense.bias;
  const name = dense.name;
  const sources = sourcesOf(m);
  if (producesBits(prev)) {
    if (m.scale) throw layerError(model, m.scale, 'scaling between binary layers', 'sign -> dense');
    const group = inputShapeAfter(model, prev)[2];
    const weights = packRowsGrouped(dense.weight, dense.outFeatures, dense.inFeatures, group);
    const pre: PreActivation = (o, dot) => Math.fround(dot + (bias ? bias[o] : 0));
    const t = thresholdsForBinary(dense.inFeatures, dense.outFeatures, pre, steps);
    requireNoNaN(model, dense, t, (o) => !Number.isNaN(applySteps(pre(o, 0), steps, o)));
    return { kind: 'dense_b1', name, sources, inFeatures: dense.inFeatures, inGroup: group, outFeatures: dense.outFeatures, weights, ...t };
  }
  if (prev) throw layerError(model, dense, `a dense layer after "${prev.name}" (${prev.kind})`, 'a dense layer after a sign or at the model input');
  const dtype = model.input.dtype;
  if (!isIntegerInput(dtype)) {
    throw layerError(model, dense, 'the first dense layer takes float input', 'uint8 or int8 device input, or a binarized input (sign before the first layer)',
      'declare the device input type: --input-type uint8 (or int8), or the ONNX metadata bnnc.input_type');
  }
  const { a, b } = inputScaling(model, m.scale);
  const rowSum = (o: number) => { let s = 0; for (let k = 0; k < dense.inFeatures; k++) s += dense.weight[o * dense.inFeatures + k]; return s; };
  const offsets = Float64Array.from({ length: dense.outFeatures }, (_, o) => b * rowSum(o) + (bias ? bias[o] : 0));
  const pre: PreActivation = (o, acc) => Math.fround(a * acc + offsets[o]);
  const ranges = Array.from({ length: dense.outFeatures }, (_, o) =>
    integerAccumulatorRange(dense.weight.subarray(o * dense.inFeatures, (o + 1) * dense.inFeatures), dtype));
  const t = thresholdsForInteger(ranges, pre, steps);
  requireNoNaN(model, dense, t, (o) => !Number.isNaN(applySteps(pre(o, 0), steps, o)));
  return { kind: 'dense_int_b1', name, sources, inputDType: dtype, inFeatures: dense.inFeatures, outFeatures: dense.outFeatures, weights: packRows(dense), ...t };
}

/** The fused pool: window = stride, no padding (the conv output's remainder rows/columns are dropped, floor mode). */
function poolOf(model: Model, conv: Conv2dLayer, pool: MaxPoolLayer | AvgPoolLayer | undefined) {
  if (!pool) return { pool: [1, 1] as [number, number], poolMode: 'max' as const, outShape: conv.outShape };
  if (pool.kernel[0] !== pool.stride[0] || pool.kernel[1] !== pool.stride[1]) {
    throw layerError(model, pool, `pool ${pool.kernel.join('x')} with stride ${pool.stride.join('x')} before the threshold`,
      'a non-overlapping pool (kernel = stride) between a convolution and its batch-norm');
  }
  return { pool: pool.kernel, poolMode: pool.kind === 'maxpool' ? 'max' as const : 'sum' as const, outShape: pool.outShape };
}

function lowerThresholdedConv(model: Model, prev: Layer | undefined, m: Match): LoweredLayer {
  const conv = m.core as Conv2dLayer;
  const steps = m.post?.steps ?? [];
  const bias = conv.bias;
  const [kh, kw] = conv.kernel;
  const c = conv.inShape[2];
  const oc = conv.outShape[2];
  const tapCount = kh * kw * c;
  const { pool, poolMode, outShape } = poolOf(model, conv, m.pool);
  // Average pool: the layer thresholds the window's sum S; the float model computes S / count (exact S, one rounding).
  const count = poolMode === 'sum' ? pool[0] * pool[1] : 1;
  const average = (s: number) => (count === 1 ? s : Math.fround(s / count));
  const perPosition = steps.find((s) => s.value.length !== 1 && s.value.length !== oc);
  if (perPosition) throw layerError(model, m.post!, `a constant of ${perPosition.value.length} values after a convolution`, `one value, or one per channel (${oc})`);
  const geometry = { inShape: conv.inShape, convShape: conv.outShape, outShape, kernel: conv.kernel, stride: conv.stride, pads: conv.pads, padding: conv.padding, pool, poolMode };
  const common = { name: conv.name, sources: sourcesOf(m), ...geometry, weights: packRowsGrouped(conv.weight, oc, tapCount, c) };
  if (producesBits(prev)) {
    if (m.scale) throw layerError(model, m.scale, 'scaling between binary layers', 'sign -> conv');
    const pre: PreActivation = (o, sum) => Math.fround(average(sum) + (bias ? bias[o] : 0));
    // Every position's dot lies in [-taps, taps] whatever its number of valid taps.
    const t = thresholdsForInteger(Array.from({ length: oc }, (): [number, number] => [-tapCount * count, tapCount * count]), pre, steps);
    requireNoNaN(model, conv, t, (o) => !Number.isNaN(applySteps(pre(o, 0), steps, o)));
    return { kind: 'conv2d_b1', ...common, ...t };
  }
  if (prev) throw layerError(model, conv, `a convolution after "${prev.name}" (${prev.kind})`, 'a convolution after a sign or at the model input');
  const dtype = model.input.dtype;
  if (!isIntegerInput(dtype)) {
    throw layerError(model, conv, 'the first convolution takes float input', 'uint8 or int8 device input, or a binarized input',
      'declare the device input type: --input-type uint8 (or int8), or the ONNX metadata bnnc.input_type');
  }
  if (c !== 1 && conv.inShape[0] * conv.inShape[1] > 1) {
    throw layerError(model, conv, `an integer input of ${c} channels`, 'a single-channel image input', 'multi-channel integer image inputs are not supported yet');
  }
  const { a, b } = inputScaling(model, m.scale);
  if (b !== 0 && conv.padding === 'zero' && conv.pads.some((p) => p > 0)) {
    throw layerError(model, m.scale ?? conv, `input offset ${b} with zero padding`, 'an input scaling without offset (x * a) in front of a padded convolution',
      'the padded taps would contribute a position-dependent offset');
  }
  const [lo, hi] = inputValueRange(dtype);
  // Without padding every position sees all taps, so the input offset b adds b * (sum of the channel's weights), as in a dense layer.
  const tapSum = (o: number) => { let s = 0; for (let k = 0; k < tapCount; k++) s += conv.weight[o * tapCount + k]; return s; };
  const offsets = Float64Array.from({ length: oc }, (_, o) => b * tapSum(o) + (bias ? bias[o] : 0));
  const pre: PreActivation = (o, acc) => Math.fround(a * average(acc) + offsets[o]);
  // Taps outside the input contribute 0, which lies inside every tap's range, so the all-valid range covers every position.
  const ranges = Array.from({ length: oc }, (_, o): [number, number] => {
    let min = 0; let max = 0;
    for (let k = 0; k < tapCount; k++) {
      if (conv.weight[o * tapCount + k] > 0) { min += lo; max += hi; } else { min -= hi; max -= lo; }
    }
    return [Math.min(min, 0) * count, Math.max(max, 0) * count];
  });
  const t = thresholdsForInteger(ranges, pre, steps);
  requireNoNaN(model, conv, t, (o) => !Number.isNaN(applySteps(pre(o, 0), steps, o)));
  return { kind: 'conv2d_int_b1', inputDType: dtype, ...common, ...t };
}
