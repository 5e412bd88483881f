/**
 * Evaluation of affine step chains. `applySteps` is the float32 semantics the
 * reference computes (one rounding per step, in the source graph's order);
 * `composeSteps` is the exact real-valued map, used only to derive fixed-point
 * logits and rounding-error bounds, never to decide a bit.
 */
import type { AffineStep } from '../ir/types.ts';

const f32 = Math.fround;

/** A step's constant for a feature: scalar, per channel (channels innermost) or per feature. */
export function stepValue(step: AffineStep, feature: number): number {
  return step.value[feature % step.value.length];
}

/** float32 result of the chain on a float32 input, for one feature. */
export function applySteps(x: number, steps: readonly AffineStep[], feature: number): number {
  let v = f32(x);
  for (const step of steps) {
    const c = stepValue(step, feature);
    switch (step.op) {
      case 'mul': v = f32(v * c); break;
      case 'add': v = f32(v + c); break;
      case 'sub': v = f32(v - c); break;
      case 'div': v = f32(v / c); break;
    }
  }
  return v;
}

/** The chain as y = a*x + b in exact (float64) arithmetic, for one feature. */
export function composeSteps(steps: readonly AffineStep[], feature: number): { a: number; b: number } {
  let a = 1;
  let b = 0;
  for (const step of steps) {
    const c = stepValue(step, feature);
    switch (step.op) {
      case 'mul': a *= c; b *= c; break;
      case 'add': b += c; break;
      case 'sub': b -= c; break;
      case 'div': a /= c; b /= c; break;
    }
  }
  return { a, b };
}

/** True when a step leaves every float32 value unchanged (x*1, x/1, x+0, x-0). */
export function isIdentityStep(step: AffineStep): boolean {
  const neutral = step.op === 'mul' || step.op === 'div' ? 1 : 0;
  return step.value.every((v) => v === neutral);
}

/** The value entering step j of the chain (j = steps.length: the chain's result), float32 as the reference computes it. */
export function applyStepPrefix(x: number, steps: readonly AffineStep[], j: number, feature: number): number {
  return applySteps(x, steps.slice(0, j), feature);
}

/** True when the step turns its finite-constant operation on x into NaN (inf * 0, 0 / 0; the constants are finite). */
export function stepCreatesNaN(step: AffineStep, feature: number, x: number): boolean {
  const c = stepValue(step, feature);
  if (Number.isNaN(x)) return true;
  return (step.op === 'mul' && c === 0 && !Number.isFinite(x)) || (step.op === 'div' && c === 0 && x === 0);
}
