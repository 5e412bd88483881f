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
import { conv2dB1Layer } from '../ops/conv2d_b1/index.ts';
import { conv2dF32B1Layer, type Conv2dF32B1Layer } from '../ops/conv2d_f32_b1/index.ts';
import { conv2dIntB1Layer } from '../ops/conv2d_int_b1/index.ts';
import { denseB1Layer } from '../ops/dense_b1/index.ts';
import { denseF32B1Layer } from '../ops/dense_f32_b1/index.ts';
import { denseIntB1Layer } from '../ops/dense_int_b1/index.ts';
import { maxpoolB1Layer } from '../ops/maxpool_b1/index.ts';
import { conv2dGroupedB1Layer } from '../ops/conv2d_grouped_b1/index.ts';
import { outputShape, producesBits } from '../ops/registry.ts';
import { applyStepPrefix, applySteps, composeSteps, stepCreatesNaN, stepValue } from './affine.ts';
import { inputValueRange, integerAccumulatorRange, isIntegerInput } from './inputRange.ts';
import { thresholdsForFloat } from './floatThresholds.ts';
import { findBoundary, findNaN, FLOAT32_MAX_INDEX, orderedFloat32 } from './monotone.ts';
import { averagedBinaryError, biasedBinaryError, chainSlack, inputScalingError, integerLayerError, reachInSteps } from './referenceRounding.ts';
import type { Pass } from './pass.ts';
import { layerError } from './pass.ts';


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

/**
 * Records, per channel, how many accumulator steps the reference's own rounding
 * may move the boundary (`error` in pre-activation units, `unit` = change of the
 * pre-activation per accumulator step), and the slack at the sign that error
 * allows (chainSlack; `at(o, k)` is bnnc's pre-activation at lattice point k of
 * the threshold's units). Exact layers get no field at all.
 */
function withReach(t: Thresholds, error: (o: number) => number, unit: number, at: (o: number, k: number) => number, steps: readonly AffineStep[]): Thresholds {
  const reach = Int32Array.from(t.threshold, (_, o) => reachInSteps(error(o), unit));
  if (!reach.some((r) => r > 0)) return t;
  const slack = Float64Array.from(t.threshold, (T, o) => {
    if (reach[o] === 0) return 0;
    // The chain is monotone, so its largest magnitudes over the window lie at the window's ends.
    return chainSlack([at(o, T - reach[o] - 1), at(o, T + reach[o] + 1)], steps, o, error(o));
  });
  return { ...t, referenceReach: reach, referenceSlack: slack };
}

/**
 * Every channel's chain is NaN-free over its whole reachable range (a NaN before
 * the sign has no bit; ONNX Sign(NaN) is NaN). Exact, see monotone.ts findNaN.
 */
function requireNoNaN(model: Model, layer: Layer, chain: AffineLayer | undefined, ranges: (o: number) => [number, number], pre: PreActivation, steps: readonly AffineStep[], channels: number, what: string): void {
  for (let o = 0; o < channels; o++) {
    const [low, high] = ranges(o);
    const nan = findNaN(low, high, steps.length, (k, j) => applyStepPrefix(pre(o, k), steps, j, o), (j, x) => stepCreatesNaN(steps[j], o, x));
    if (nan) {
      const step = steps[nan.step - 1];
      throw layerError(model, chain ?? layer, `channel ${o} of "${layer.name}" evaluates to NaN for ${what} ${nan.value}: step ${nan.step} of the affine chain (${step.op} ${stepValue(step, o)}) `
        + `receives ${applyStepPrefix(pre(o, nan.value), steps, nan.step - 1, o)}`,
      'an affine chain (batch-norm, Mul/Div/Add/Sub) that is finite for every reachable value', 'check the scale constants: x * 0 after an overflow to infinity, or 0 / 0');
    }
  }
}

/** Sum of the +/-1 weights of row o: the input offset b adds b times it to the row's accumulator. */
function rowSum(weight: Float32Array, o: number, rowLength: number): number {
  let s = 0;
  for (let k = 0; k < rowLength; k++) s += weight[o * rowLength + k];
  return s;
}

/**
 * The C kernels sum (and sum-pool) accumulators in int32_t and store thresholds
 * in int32: a reachable accumulator outside int32 would wrap (undefined
 * behaviour in C, a wrong threshold in the Int32Array), so it is refused.
 */
function requireInt32Accumulator(model: Model, conv: Conv2dLayer, [min, max]: [number, number], pool: MaxPoolLayer | AvgPoolLayer | undefined): void {
  if (min >= -(2 ** 31) && max <= 2 ** 31 - 1) return;
  const what = pool?.kind === 'avgpool' ? `the ${pool.kernel.join('x')} average pool's sum of accumulators` : 'the accumulator';
  throw layerError(model, conv, `${what} reaches ${Math.abs(min) > max ? min : max}, outside the int32 range of the C kernels`,
    'every reachable accumulator (and pooled sum) in [-2^31, 2^31 - 1]',
    'use a smaller kernel, fewer channels or a smaller average-pool window (e.g. a max-pool or a strided convolution first)');
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
function inputShapeAfter(model: Model, prev: LoweredLayer | undefined): Hwc {
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
  return maxpoolB1Layer({
    name: layer.name, sources: layer.sources, inShape: layer.inShape, outShape: layer.outShape, kernel: layer.kernel, stride: layer.stride,
    pads: layer.pads ?? [0, 0, 0, 0],
  });
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
    // The dot moves by 2 per popcount step.
    const t = withReach(thresholdsForBinary(dense.inFeatures, dense.outFeatures, pre, steps),
      (o) => biasedBinaryError(dense.inFeatures, bias ? bias[o] : 0), 2, (o, pop) => pre(o, dense.inFeatures - 2 * pop), steps);
    requireNoNaN(model, dense, m.post, () => [0, dense.inFeatures], (o, pop) => pre(o, dense.inFeatures - 2 * pop), steps, dense.outFeatures, 'popcount');
    return denseB1Layer({ name, sources, inFeatures: dense.inFeatures, inGroup: group, outFeatures: dense.outFeatures, weights, ...t });
  }
  if (prev) throw layerError(model, dense, `a dense layer after "${prev.name}" (${prev.kind})`, 'a dense layer after a sign or at the model input');
  const dtype = model.input.dtype;
  if (!isIntegerInput(dtype)) return lowerFloatInputDense(model, m, sources);
  const { a, b } = inputScaling(model, m.scale);
  const offsets = Float64Array.from({ length: dense.outFeatures }, (_, o) => b * rowSum(dense.weight, o, dense.inFeatures) + (bias ? bias[o] : 0));
  const pre: PreActivation = (o, acc) => Math.fround(a * acc + offsets[o]);
  const ranges = Array.from({ length: dense.outFeatures }, (_, o) =>
    integerAccumulatorRange(dense.weight.subarray(o * dense.inFeatures, (o + 1) * dense.inFeatures), dtype));
  const input = inputScalingError(m.scale?.steps ?? [], inputValueRange(dtype));
  const t = withReach(thresholdsForInteger(ranges, pre, steps),
    (o) => integerLayerError(dense.inFeatures, input, bias ? bias[o] : 0, 1), Math.abs(a), pre, steps);
  requireNoNaN(model, dense, m.post, (o) => ranges[o], pre, steps, dense.outFeatures, 'accumulator');
  const referenceRounding = { scale: a, offset: b, inputError: input.maxError, terms: dense.inFeatures, roundings: dense.inFeatures + 4, bias, unit: Math.abs(a) };
  return denseIntB1Layer({
    name, sources, inputDType: dtype, inFeatures: dense.inFeatures, outFeatures: dense.outFeatures, weights: packRows(dense), ...t,
    ...(t.referenceReach ? { referenceRounding } : {}),
  });
}

/**
 * The first dense layer on float32 input (dense_f32_b1): the device sums +/-x in
 * float32, in input order; the threshold is exact over every float32 sum
 * (floatThresholds.ts). A float scaling in front would be rounded per input
 * before the sum, which the kernel does not do, so it is refused.
 */
function lowerFloatInputDense(model: Model, m: Match, sources: string[]): LoweredLayer {
  const dense = m.core as DenseLayer;
  if (m.scale) {
    throw layerError(model, m.scale, 'an input scaling in front of a dense layer on float32 input', 'the dense layer reading the float input directly',
      'scale the data instead (--data-scale/--data-offset), or declare integer device input: --input-type uint8 (or int8)');
  }
  const steps = m.post?.steps ?? [];
  const bias = dense.bias;
  const pre = (o: number, acc: number) => (bias ? Math.fround(acc + bias[o]) : acc);
  const t = thresholdsForFloat(dense.outFeatures, pre, steps);
  requireNoNaN(model, dense, m.post, () => [-FLOAT32_MAX_INDEX, FLOAT32_MAX_INDEX], (o, k) => pre(o, orderedFloat32(k)), steps, dense.outFeatures, 'float32 sum (ordered index)');
  return denseF32B1Layer({
    name: dense.name, sources, inFeatures: dense.inFeatures, outFeatures: dense.outFeatures, weights: packRows(dense), ...t, bias: bias ?? null, chain: [...steps],
  });
}

/**
 * The first convolution on float32 input (conv2d_f32_b1): float32 sums over the
 * valid taps, max-pooled, thresholded on their ranks (floatThresholds.ts). An
 * input scaling, an average pool (a float sum of sums in another order) and
 * +/-1 padding (pad values that are not float zero) are refused.
 */
function lowerFloatInputConv(model: Model, m: Match, common: Omit<Conv2dF32B1Layer, 'kind' | 'threshold' | 'flip' | 'bias' | 'chain'>): LoweredLayer {
  const conv = m.core as Conv2dLayer;
  if (m.scale) {
    throw layerError(model, m.scale, 'an input scaling in front of a convolution on float32 input', 'the convolution reading the float input directly',
      'scale the data instead (--data-scale/--data-offset), or declare integer device input: --input-type uint8 --input-scale S');
  }
  if (common.poolMode === 'sum') {
    throw layerError(model, m.pool ?? conv, 'an average pool between a float32-input convolution and its threshold', 'a max-pool, or the pool after the sign',
      'declare integer device input (--input-type uint8 --input-scale S), whose sums are exact');
  }
  if (conv.padding !== 'zero' && conv.pads.some((p) => p > 0)) {
    throw layerError(model, conv, `padding with ${conv.padding === 'plus' ? '+1' : '-1'} on float32 input`, 'float-zero padding (PyTorch\'s) or none');
  }
  const steps = m.post?.steps ?? [];
  const bias = conv.bias;
  const oc = conv.outShape[2];
  const pre = (o: number, acc: number) => (bias ? Math.fround(acc + bias[o]) : acc);
  const keys = thresholdsForFloat(oc, pre, steps);
  requireNoNaN(model, conv, m.post, () => [-FLOAT32_MAX_INDEX, FLOAT32_MAX_INDEX], (o, k) => pre(o, orderedFloat32(k)), steps, oc, 'float32 sum (ordered index)');
  // Ranks are the keys with the sign bit flipped, read as int32: key 0 (a constant channel) is INT32_MIN, below every rank.
  const threshold = Int32Array.from(keys.threshold, (key) => (key ^ 0x80000000) | 0);
  return conv2dF32B1Layer({ ...common, threshold, flip: keys.flip, bias: bias ?? null, chain: [...steps] });
}

/**
 * The fused pool (floor mode): any window and stride; a max-pool may be padded
 * (padded positions never win, so each window needs one real position: pad < window).
 */
function poolOf(model: Model, conv: Conv2dLayer, pool: MaxPoolLayer | AvgPoolLayer | undefined) {
  const none = { pool: [1, 1] as [number, number], poolStride: [1, 1] as [number, number], poolPads: [0, 0] as [number, number] };
  if (!pool) return { ...none, poolMode: 'max' as const, outShape: conv.outShape };
  const pads = pool.kind === 'maxpool' ? pool.pads ?? [0, 0, 0, 0] : [0, 0, 0, 0];
  if (pads.some((p, i) => p >= pool.kernel[i % 2])) {
    throw layerError(model, pool, `max-pool pads [${pads}] for a ${pool.kernel.join('x')} window`, 'padding smaller than the window (PyTorch allows at most half the window)');
  }
  return {
    pool: pool.kernel, poolStride: pool.stride, poolPads: [pads[0], pads[1]] as [number, number],
    poolMode: pool.kind === 'maxpool' ? 'max' as const : 'sum' as const, outShape: pool.outShape,
  };
}

function lowerThresholdedConv(model: Model, prev: Layer | undefined, m: Match): LoweredLayer {
  const conv = m.core as Conv2dLayer;
  const steps = m.post?.steps ?? [];
  const bias = conv.bias;
  const [kh, kw] = conv.kernel;
  const groups = conv.groups ?? 1;
  const dilation = conv.dilation ?? [1, 1];
  const grouped = groups > 1 || dilation[0] > 1 || dilation[1] > 1;
  // A grouped convolution's output channel reads only its group's channels.
  const c = conv.inShape[2] / groups;
  const oc = conv.outShape[2];
  const tapCount = kh * kw * c;
  const { pool, poolStride, poolPads, poolMode, outShape } = poolOf(model, conv, m.pool);
  // Average pool: the layer thresholds the window's sum S; the float model computes S / count (exact S, one rounding).
  const count = poolMode === 'sum' ? pool[0] * pool[1] : 1;
  const average = (s: number) => (count === 1 ? s : Math.fround(s / count));
  const perPosition = steps.find((s) => s.value.length !== 1 && s.value.length !== oc);
  if (perPosition) throw layerError(model, m.post!, `a constant of ${perPosition.value.length} values after a convolution`, `one value, or one per channel (${oc})`);
  const geometry = { inShape: conv.inShape, convShape: conv.outShape, outShape, kernel: conv.kernel, stride: conv.stride, pads: conv.pads, padding: conv.padding, pool, poolStride, poolPads, poolMode };
  const common = { name: conv.name, sources: sourcesOf(m), ...geometry, weights: packRowsGrouped(conv.weight, oc, tapCount, c) };
  if (producesBits(prev)) {
    if (m.scale) throw layerError(model, m.scale, 'scaling between binary layers', 'sign -> conv');
    const pre: PreActivation = (o, sum) => Math.fround(average(sum) + (bias ? bias[o] : 0));
    // Every position's dot lies in [-taps, taps] whatever its number of valid taps.
    const range: [number, number] = [-tapCount * count, tapCount * count];
    requireInt32Accumulator(model, conv, range, m.pool);
    // A bias before an average pool is summed in MLAS's order; everything else here is exact.
    const t = withReach(thresholdsForInteger(Array.from({ length: oc }, () => range), pre, steps),
      (o) => (count === 1 ? 0 : averagedBinaryError(tapCount, bias ? bias[o] : 0, count)), 1 / count, pre, steps);
    requireNoNaN(model, conv, m.post, () => range, pre, steps, oc, count === 1 ? 'dot product' : 'pooled dot sum');
    if (!grouped) return conv2dB1Layer({ ...common, ...t });
    if (conv.padding !== 'zero' && conv.pads.some((p) => p > 0)) {
      // bnn_conv2d_grouped_b1 (and its emulator) pad with float zeros only.
      throw layerError(model, conv, `a grouped or dilated convolution padded with ${conv.padding === 'plus' ? '+1' : '-1'}`, 'zero padding on grouped and dilated convolutions');
    }
    if (t.referenceReach) {
      throw layerError(model, conv, 'a grouped or dilated convolution with a bias before an average pool', 'no Conv bias (the batch-norm supplies the offset) or a max-pool',
        'export the convolution without bias');
    }
    return conv2dGroupedB1Layer({ ...common, ...t, groups, dilation: [dilation[0], dilation[1]] });
  }
  if (grouped) {
    throw layerError(model, conv, `a ${groups > 1 ? `grouped (${groups} groups)` : `dilated (${dilation.join('x')})`} convolution on the model input`,
      'a grouped or dilated convolution after a sign (binary input)', 'make the first convolution a plain one');
  }
  if (prev) throw layerError(model, conv, `a convolution after "${prev.name}" (${prev.kind})`, 'a convolution after a sign or at the model input');
  const dtype = model.input.dtype;
  if (!isIntegerInput(dtype)) return lowerFloatInputConv(model, m, common);
  const { a, b } = inputScaling(model, m.scale);
  // The kernel pools max(acc) before the threshold; with a < 0 the float model's max is a * min(acc).
  if (a < 0 && m.pool?.kind === 'maxpool') {
    throw layerError(model, m.scale ?? conv, `input scale ${a} (negative) in front of a convolution whose max-pool comes before its batch-norm/sign`,
      'a positive input scale', 'negate the first convolution\'s weights and the input scale together (the same float model), or move the max-pool after the sign');
  }
  if (b !== 0 && conv.padding === 'zero' && conv.pads.some((p) => p > 0)) {
    throw layerError(model, m.scale ?? conv, `input offset ${b} with zero padding`, 'an input scaling without offset (x * a) in front of a padded convolution',
      'the padded taps would contribute a position-dependent offset');
  }
  const [lo, hi] = inputValueRange(dtype);
  // Every tap is inside the input (unpadded, or padded without offset), so each position adds b * sum(w_o), as the dense path does.
  const offsets = Float64Array.from({ length: oc }, (_, o) => b * rowSum(conv.weight, o, tapCount) + (bias ? bias[o] : 0));
  const pre: PreActivation = (o, acc) => Math.fround(a * average(acc) + offsets[o]);
  // Taps outside the input contribute 0, which lies inside every tap's range, so the all-valid range covers every position.
  const ranges = Array.from({ length: oc }, (_, o): [number, number] => {
    let min = 0; let max = 0;
    for (let k = 0; k < tapCount; k++) {
      if (conv.weight[o * tapCount + k] > 0) { min += lo; max += hi; } else { min -= hi; max -= lo; }
    }
    return [Math.min(min, 0) * count, Math.max(max, 0) * count];
  });
  for (const range of ranges) requireInt32Accumulator(model, conv, range, m.pool);
  const input = inputScalingError(m.scale?.steps ?? [], [lo, hi]);
  const t = withReach(thresholdsForInteger(ranges, pre, steps),
    (o) => integerLayerError(tapCount, input, bias ? bias[o] : 0, count), Math.abs(a) / count, pre, steps);
  requireNoNaN(model, conv, m.post, (o) => ranges[o], pre, steps, oc, count === 1 ? 'accumulator' : 'pooled accumulator sum');
  const referenceRounding = { scale: a, offset: b, inputError: input.maxError, terms: tapCount, roundings: tapCount + count + 3, bias, unit: Math.abs(a) / count };
  return conv2dIntB1Layer({ inputDType: dtype, ...common, ...t, ...(t.referenceReach ? { referenceRounding } : {}) });
}
