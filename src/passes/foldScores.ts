/**
 * The last dense layer -> [affine] -> [argmax] becomes integer scores: the dot
 * product (or accumulator) itself when nothing follows, otherwise fixed-point
 * logits  score = mult[o] * dot + bias[o]  in Q(fracBits), with fracBits as
 * large as int32 allows for the reachable dot range. Argmax (ties to the
 * lowest index) is always the prediction.
 */
import { INT32_MAX } from '../bitops.ts';
import type { AffineLayer, DenseLayer, Layer, ScoreTransform } from '../ir/types.ts';
import { composeSteps } from './affine.ts';
import { packRows, packRowsGrouped, producesBits } from './foldThresholds.ts';
import { outputShape } from '../ir/types.ts';
import { integerAccumulatorRange, isIntegerInput } from './inputRange.ts';
import type { Pass } from './pass.ts';
import { layerError } from './pass.ts';

/** Largest fractional bit count (at most 24) for which every score fits in int32. */
export function fixedPointTransform(coef: { a: number; b: number }[], dotRange: [number, number][]): ScoreTransform {
  for (let frac = 24; frac >= 0; frac--) {
    const scale = 2 ** frac;
    const mult = coef.map((c) => Math.round(c.a * scale));
    const bias = coef.map((c) => Math.round(c.b * scale));
    const fits = coef.every((_, o) => {
      const [lo, hi] = dotRange[o];
      const extreme = Math.max(Math.abs(mult[o] * lo), Math.abs(mult[o] * hi)) + Math.abs(bias[o]);
      return extreme <= INT32_MAX;
    });
    if (fits) return { mult: Int32Array.from(mult), bias: Int32Array.from(bias), fracBits: frac };
  }
  throw new Error('bnnc internal error: output scale does not fit int32 even with 0 fractional bits');
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
      const scaled = coef.map((c, o) => {
        let rowSum = 0;
        for (let k = 0; k < dense.inFeatures; k++) rowSum += dense.weight[o * dense.inFeatures + k];
        return { a: c.a * ai, b: c.b + c.a * bi * rowSum };
      });
      const ranges = Array.from({ length: dense.outFeatures }, (_, o) =>
        integerAccumulatorRange(dense.weight.subarray(o * dense.inFeatures, (o + 1) * dense.inFeatures), dtype));
      const transform = isIdentity(scaled) ? null : fixedPointTransform(scaled, ranges);
      return { ...model, layers: [{ kind: 'dense_int_scores', inputDType: dtype, transform, ...common }] };
    }
    if (!producesBits(prev)) {
      throw layerError(model, dense, `the last dense layer follows "${prev.name}" (${prev.kind})`, 'a sign before the last dense layer');
    }
    const ranges = coef.map((): [number, number] => [-dense.inFeatures, dense.inFeatures]);
    const transform = isIdentity(coef) ? null : fixedPointTransform(coef, ranges);
    const inGroup = outputShape(prev)[2];
    const weights = packRowsGrouped(dense.weight, dense.outFeatures, dense.inFeatures, inGroup);
    return { ...model, layers: [...src.slice(0, di), { kind: 'dense_b1_scores', transform, ...common, inGroup, weights }] };
  },
};
