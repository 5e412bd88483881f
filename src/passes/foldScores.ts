/**
 * The last dense layer -> [affine] -> [argmax] becomes integer scores: the dot
 * product (or accumulator) itself when nothing follows, otherwise fixed-point
 * logits  score = mult[o] * dot + bias[o]  in Q(fracBits). fracBits is chosen
 * for the whole layer (a common positive factor 2^fracBits never changes the
 * argmax), as large as int32 allows for the reachable dot range, and may be
 * negative or far above 24: Mul(1e-9) and Mul(1e9) after the last layer keep
 * full multiplier precision. Argmax (ties to the lowest index) is always the
 * prediction.
 *
 * `logitBound` states where the integer argmax may legitimately differ from
 * the reference's: the fixed-point rounding of mult and bias plus the
 * reference's own float32 rounding of its logits, for two classes. A verify
 * counts an argmax difference as a logit tie only when the reference's top
 * logit exceeds the one of bnnc's class by at most that bound.
 */
import { INT32_MAX } from '../bitops.ts';
import type { AffineLayer, AffineStep, DenseLayer, Layer, Model, ScoreTransform } from '../ir/types.ts';
import { applyStepPrefix, composeSteps, stepCreatesNaN, stepValue } from './affine.ts';
import { packRows, packRowsGrouped } from './foldThresholds.ts';
import { denseB1ScoresLayer } from '../ops/dense_b1_scores/index.ts';
import { denseIntScoresLayer } from '../ops/dense_int_scores/index.ts';
import { outputShape, producesBits } from '../ops/registry.ts';
import { inputValueRange, integerAccumulatorRange, isIntegerInput } from './inputRange.ts';
import { findNaN } from './monotone.ts';
import type { Pass } from './pass.ts';
import { layerError } from './pass.ts';
import { biasedBinaryError, FLOAT32_UNIT_ROUNDOFF, inputScalingError, integerLayerError } from './referenceRounding.ts';

type Coefficients = { a: number; b: number }[];

/** Largest |score| over the dot range, for the exact (real) map. */
function extentOf(coef: Coefficients, dotRange: [number, number][]): number {
  return Math.max(0, ...coef.map((c, o) => Math.abs(c.a) * Math.max(Math.abs(dotRange[o][0]), Math.abs(dotRange[o][1])) + Math.abs(c.b)));
}

function roundedAt(coef: Coefficients, frac: number): { mult: number[]; bias: number[] } {
  const scale = 2 ** frac;
  return { mult: coef.map((c) => Math.round(c.a * scale)), bias: coef.map((c) => Math.round(c.b * scale)) };
}

/**
 * The largest fractional bit count (any sign) for which every score
 * |mult*dot| + |bias| fits int32. Returns null when the coefficients are not
 * finite or so small that no float64 power of two scales them (the caller names the layer).
 */
function fixedPointTransform(coef: Coefficients, dotRange: [number, number][]): ScoreTransform | null {
  const extent = extentOf(coef, dotRange);
  if (!Number.isFinite(extent)) return null;
  if (extent === 0) return { mult: new Int32Array(coef.length), bias: new Int32Array(coef.length), fracBits: 0 };
  let frac = Math.floor(Math.log2(INT32_MAX / extent)) + 1;
  if (frac > 1000 || frac < -1000) return null;
  for (; ; frac--) {
    const { mult, bias } = roundedAt(coef, frac);
    const fits = coef.every((_, o) => {
      const [lo, hi] = dotRange[o];
      return Math.max(Math.abs(mult[o] * lo), Math.abs(mult[o] * hi)) + Math.abs(bias[o]) <= INT32_MAX;
    });
    if (fits) return { mult: Int32Array.from(mult), bias: Int32Array.from(bias), fracBits: frac };
  }
}

/** Per class: |score / 2^frac - exact logit| at most, over the dot range. */
function fixedPointError(coef: Coefficients, t: ScoreTransform | null, dotRange: [number, number][]): number[] {
  if (!t) return coef.map(() => 0);
  const scale = 2 ** t.fracBits;
  return coef.map((c, o) => {
    const maxDot = Math.max(Math.abs(dotRange[o][0]), Math.abs(dotRange[o][1]));
    return (Math.abs(t.mult[o] - c.a * scale) * maxDot + Math.abs(t.bias[o] - c.b * scale)) / scale;
  });
}

/**
 * How far the reference's float32 chain can be from its exact affine map, for an
 * input of at most `maxAbs` carrying an error `inputError` already: every step
 * scales the carried error and adds one rounding of its result.
 */
function chainRoundingBound(steps: readonly AffineStep[], feature: number, maxAbs: number, inputError: number): number {
  let m = maxAbs + inputError;
  let err = inputError;
  for (const step of steps) {
    const c = Math.abs(stepValue(step, feature));
    if (step.op === 'mul') { m *= c; err *= c; }
    else if (step.op === 'div') { m /= c; err /= c; }
    else m += c;
    err += FLOAT32_UNIT_ROUNDOFF * m;
    m += FLOAT32_UNIT_ROUNDOFF * m;
  }
  return err;
}

/** Twice the largest per-class error: the most by which two logits can trade places. */
function logitBoundOf(fixedPoint: number[], reference: number[]): number {
  return 2 * Math.max(0, ...fixedPoint.map((q, o) => q + reference[o]));
}

function isIdentity(coef: { a: number; b: number }[]): boolean {
  return coef.every((c) => c.a === 1 && c.b === 0);
}

export const foldScores: Pass = {
  name: 'foldScores',
  description: 'lower the last dense layer (+ BatchNorm/scaling, argmax) to integer scores or fixed-point logits',
  run(model) {
    const src = model.layers;
    const di = src.findIndex((l) => l.kind === 'dense');
    if (di < 0) return model;
    const dense = src[di] as DenseLayer;
    const rest = src.slice(di + 1);
    const post = rest[0]?.kind === 'affine' ? (rest[0] as AffineLayer) : undefined;
    const after = rest.slice(post ? 1 : 0);
    if (after.some((l) => l.kind !== 'argmax') || src.slice(di + 1).some((l) => l.kind === 'dense')) {
      const bad = after.find((l) => l.kind !== 'argmax') ?? dense;
      throw layerError(model, bad, `"${bad.name}" (${bad.kind}) follows the last dense layer`, 'the network to end with dense [-> BatchNorm/scale] [-> ArgMax]');
    }
    const prev: Layer | undefined = src[di - 1];
    const steps = post?.steps ?? [];
    const fold = (scaled: Coefficients, ranges: [number, number][], referenceError: (o: number) => number) => {
      const transform = isIdentity(scaled) ? null : fixedPointTransform(scaled, ranges);
      if (!isIdentity(scaled) && !transform) {
        throw layerError(model, post ?? dense, `output scale ${scaled.map((c) => c.a).join(', ')} cannot be represented`, 'finite, non-zero scale factors after the last layer');
      }
      const logitBound = logitBoundOf(fixedPointError(scaled, transform, ranges), scaled.map((_, o) => referenceError(o)));
      return { transform, logitBound };
    };
    const coef = Array.from({ length: dense.outFeatures }, (_, o) => {
      const c = composeSteps(steps, o);
      return { a: c.a, b: c.a * (dense.bias ? dense.bias[o] : 0) + c.b };
    });
    const sources = [...dense.sources, ...(post?.sources ?? []), ...after.flatMap((l) => l.sources)];
    const common = { name: dense.name, sources, inFeatures: dense.inFeatures, outFeatures: dense.outFeatures, weights: packRows(dense) };
    const inputScale = prev?.kind === 'affine' && di === 1 ? prev : undefined;
    if (!prev || inputScale) {
      const dtype = model.input.dtype;
      if (!isIntegerInput(dtype)) throw layerError(model, dense, 'a single dense layer on float input', 'uint8/int8 input', 'declare --input-type uint8');
      if (inputScale?.steps.some((s) => s.value.length !== 1)) {
        throw layerError(model, inputScale, 'per-feature input scaling', 'one scale and offset for all input features');
      }
      // Fold the scalar input scaling x' = ai*v + bi: w.x' = ai*acc + bi*sum(w).
      const { a: ai, b: bi } = inputScale ? composeSteps(inputScale.steps, 0) : { a: 1, b: 0 };
      const rowSums = Array.from({ length: dense.outFeatures }, (_, o) => {
        let rowSum = 0;
        for (let k = 0; k < dense.inFeatures; k++) rowSum += dense.weight[o * dense.inFeatures + k];
        return rowSum;
      });
      const scaled = coef.map((c, o) => ({ a: c.a * ai, b: c.b + c.a * bi * rowSums[o] }));
      const ranges = Array.from({ length: dense.outFeatures }, (_, o) =>
        integerAccumulatorRange(dense.weight.subarray(o * dense.inFeatures, (o + 1) * dense.inFeatures), dtype));
      // bnnc's pre-activation of an integer-input layer: the exact sum, rounded once (as foldThresholds).
      requireFiniteLogits(model, dense, post, ranges, (o, acc) => Math.fround(ai * acc + bi * rowSums[o] + (dense.bias ? dense.bias[o] : 0)));
      const input = inputScalingError(inputScale?.steps ?? [], inputValueRange(dtype));
      const largest = dense.inFeatures * input.maxAbs + Math.max(0, ...(dense.bias ?? [0]).map(Math.abs));
      const { transform, logitBound } = fold(scaled, ranges,
        (o) => chainRoundingBound(steps, o, largest, integerLayerError(dense.inFeatures, input, dense.bias ? dense.bias[o] : 0, 1)));
      return { ...model, layers: [denseIntScoresLayer({ inputDType: dtype, transform, logitBound, ...common })] };
    }
    if (!producesBits(prev)) {
      throw layerError(model, dense, `the last dense layer follows "${prev.name}" (${prev.kind})`, 'a sign before the last dense layer');
    }
    const ranges = coef.map((): [number, number] => [-dense.inFeatures, dense.inFeatures]);
    requireFiniteLogits(model, dense, post, ranges, (o, dot) => Math.fround(dot + (dense.bias ? dense.bias[o] : 0)));
    // The reference: f32(dot + bias) (a fractional Gemm bias possibly accumulated in blocks), then the chain.
    const { transform, logitBound } = fold(coef, ranges, (o) => {
      const bias = dense.bias ? Math.abs(dense.bias[o]) : 0;
      const pre = dense.bias ? FLOAT32_UNIT_ROUNDOFF * (dense.inFeatures + bias) + biasedBinaryError(dense.inFeatures, dense.bias[o]) : 0;
      return chainRoundingBound(steps, o, dense.inFeatures + bias, pre);
    });
    const inGroup = outputShape(prev)[2];
    const weights = packRowsGrouped(dense.weight, dense.outFeatures, dense.inFeatures, inGroup);
    return { ...model, layers: [...src.slice(0, di), denseB1ScoresLayer({ transform, logitBound, ...common, inGroup, weights })] };
  },
};

/**
 * The logits the reference computes must be numbers for every reachable dot:
 * an affine chain that turns into NaN (x * 0 after an overflow, 0 / 0) has no
 * argmax to agree with.
 */
function requireFiniteLogits(model: Model, dense: DenseLayer, post: AffineLayer | undefined, ranges: [number, number][], pre: (o: number, acc: number) => number): void {
  const steps = post?.steps ?? [];
  if (steps.length === 0) return;
  for (let o = 0; o < dense.outFeatures; o++) {
    const [low, high] = ranges[o];
    const nan = findNaN(low, high, steps.length, (k, j) => applyStepPrefix(pre(o, k), steps, j, o), (j, x) => stepCreatesNaN(steps[j], o, x));
    if (nan) {
      const step = steps[nan.step - 1];
      throw layerError(model, post ?? dense, `class ${o} of "${dense.name}" evaluates to NaN for accumulator ${nan.value}: step ${nan.step} of the affine chain (${step.op} ${stepValue(step, o)})`,
        'an affine chain after the last layer that is finite for every reachable value', 'check the scale constants: x * 0 after an overflow to infinity, or 0 / 0');
    }
  }
}
