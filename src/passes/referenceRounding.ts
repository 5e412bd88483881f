/**
 * Where the float reference itself rounds before a layer's affine chain, and
 * how far that rounding can move a channel's boundary. bnnc folds against one
 * float32 evaluation (see docs/architecture.md): the pre-activation as bnnc
 * defines it, then the chain step by step. Where the reference computes that
 * pre-activation exactly the same way (binary dot products are exact small
 * integers; onnxruntime adds a Conv bias once, after the sum), a disagreement is
 * a bnnc bug and no tie is ever allowed. Where it cannot (float32 sums of
 * scaled integer inputs, an average pool over biased positions whose summation
 * order is MLAS's, a Gemm bias that MLAS accumulates together with blocks of the
 * products), the error is bounded here from the layer's float32 operations with
 * the standard bound for k roundings, gamma_k = k*u / (1 - k*u), u = 2^-24.
 *
 * The bound is a worst case over the reachable inputs, per channel, converted
 * to accumulator units of the layer's comparison (`referenceReach`).
 */
import type { AffineStep } from '../ir/types.ts';
import { applySteps, composeSteps, stepValue } from './affine.ts';

/** Unit roundoff of float32 (round to nearest). */
export const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;

/** gamma_k: relative error bound of k successive float32 roundings. */
export function roundingGamma(k: number): number {
  const ku = k * FLOAT32_UNIT_ROUNDOFF;
  return ku / (1 - ku);
}

/**
 * The input scaling steps (v -> x, one float32 rounding per step, as the
 * reference computes them) compared with the exact map a*v + b that bnnc folds:
 * the largest |x| and the largest difference over the input range.
 */
export function inputScalingError(steps: readonly AffineStep[], range: [number, number]): { maxAbs: number; maxError: number } {
  const { a, b } = composeSteps(steps, 0);
  let maxAbs = 0;
  let maxError = 0;
  for (let v = range[0]; v <= range[1]; v++) {
    const x = applySteps(v, steps, 0);
    maxAbs = Math.max(maxAbs, Math.abs(x));
    // composeSteps is float64: its own error is far below 2^-40 of the terms.
    maxError = Math.max(maxError, Math.abs(x - (a * v + b)) + 2 ** -40 * (Math.abs(a * v) + Math.abs(b)));
  }
  return { maxAbs, maxError };
}

/**
 * Integer-input layer (dense or conv, optionally average-pooled over `count`
 * positions), in pre-activation units: each of the n terms carries the input
 * scaling error; the reference's float32 sum of n terms, its bias, the pool's
 * count-term sum and division, and bnnc's own rounding of its pre-activation
 * add at most gamma_{n+count+3} of the largest |pre-activation|.
 */
export function integerLayerError(n: number, input: { maxAbs: number; maxError: number }, bias: number, count: number): number {
  return sampleIntegerLayerError(n, input.maxError, n * input.maxAbs, bias, n + count + 3);
}

/**
 * The same bound for one sample: `sumAbs` bounds the sum of |x_i| over the
 * terms of any output (for a convolution, of an average over its pooled
 * positions): n*e_in + gamma_roundings * (sumAbs + |bias|).
 */
export function sampleIntegerLayerError(n: number, inputError: number, sumAbs: number, bias: number, roundings: number): number {
  return n * inputError + roundingGamma(roundings) * (sumAbs + Math.abs(bias));
}

/**
 * Binary layer with a bias that is not an integer: onnxruntime's Gemm starts its
 * accumulation from the bias and adds the products in blocks of K (MLAS), so any
 * of up to n partial sums may be rounded. With an integer bias (or none) every
 * partial sum is an exact integer and the error is 0.
 */
export function biasedBinaryError(n: number, bias: number): number {
  if (Number.isInteger(bias)) return 0;
  return roundingGamma(n + 1) * (n + Math.abs(bias));
}

/**
 * Binary convolution whose biased positions are averaged: each position is
 * f32(dot + bias) (exact dot, one rounding), the pool sums `count` of them in
 * MLAS's order and divides; bnnc rounds S/count and adds the bias.
 */
export function averagedBinaryError(taps: number, bias: number, count: number): number {
  if (bias === 0) return 0;
  return roundingGamma(count + 3) * (taps + Math.abs(bias));
}

/** Error (pre-activation units) to accumulator steps: how many lattice points on each side of the boundary the reference may decide. */
export function reachInSteps(error: number, unit: number): number {
  if (!(error > 0)) return 0;
  return Math.ceil(error / unit);
}

/**
 * How far from 0 the value at the sign can be when the reference's rounding
 * decides a channel: both the reference and bnnc run the same float32 chain
 * (`steps`) on pre-activations at most `error` apart, so their results differ
 * by at most the error carried through each step (times |c| for mul, / |c| for
 * div) plus one rounding of each result on both sides (2u of the largest
 * result magnitude near the boundary). `near` are bnnc's pre-activations at the
 * lattice points around the boundary. Where the two disagree in sign, the
 * reference's value is within that difference of 0.
 */
export function chainSlack(near: readonly number[], steps: readonly AffineStep[], feature: number, error: number): number {
  let values = near.map((x) => Math.fround(x));
  let slack = error;
  for (const step of steps) {
    const c = stepValue(step, feature);
    values = values.map((v) => applySteps(v, [step], feature));
    if (step.op === 'mul') slack *= Math.abs(c);
    if (step.op === 'div') slack /= Math.abs(c);
    const largest = Math.max(...values.map(Math.abs)) + slack;
    slack += 2 * FLOAT32_UNIT_ROUNDOFF * largest;
  }
  // Margin for the bound's own float64 arithmetic.
  return slack * (1 + 2 ** -20);
}

/**
 * Float32-input layers (dense_f32_b1, conv2d_f32_b1): the reference's sum lies
 * within `distance` of bnnc's sum `acc`, so its value at the sign lies within
 * the chain's slack around bnnc's chain at acc +/- distance (plus the bias).
 */
export function floatSumSlack(acc: number, bias: number, distance: number, steps: readonly AffineStep[], feature: number): number {
  return chainSlack([acc - distance + bias, acc + distance + bias], steps, feature, distance);
}
