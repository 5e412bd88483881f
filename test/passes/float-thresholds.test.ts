/**
 * dense_f32_b1's thresholds over float32 accumulators: for every float32 value,
 * (key(acc) < T) XOR flip must equal the sign of the model's float32 chain.
 * The line has 2^32 points, so each channel is checked on every float within
 * 4,096 steps of its boundary, at the special values and at 20,000 random points.
 * (A wrong boundary by one float, or a flip the wrong way, fails at the boundary.)
 */
import { describe, expect, it } from 'vitest';
import type { AffineStep } from '../../src/ir/types.ts';
import { floatThresholdBit } from '../../src/ops/dense_f32_b1/emulate.ts';
import { applySteps } from '../../src/passes/affine.ts';
import { thresholdKeyValue, thresholdsForFloat } from '../../src/passes/floatThresholds.ts';
import { FLOAT32_MAX_INDEX, orderedFloat32 } from '../../src/passes/monotone.ts';
import { rng } from '../helpers/onnxBuilder.ts';

/** The ordered index of a float32 (inverse of orderedFloat32; -0 is 0). */
function orderedIndex(v: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, Math.abs(v));
  const k = view.getUint32(0);
  return v < 0 ? -k : k;
}

/** A batch-norm-like chain per channel: sub mean, mul scale (either sign, sometimes 0), add beta, sometimes a div. */
function randomChain(channels: number, seed: number): { bias: Float32Array; steps: AffineStep[] } {
  const next = rng(seed);
  const per = (f: () => number) => Float32Array.from({ length: channels }, f);
  return {
    bias: per(() => (next() - 0.5) * 10),
    steps: [
      { op: 'sub', value: per(() => (next() - 0.5) * 40) },
      { op: 'mul', value: per(() => (next() < 0.1 ? 0 : (next() < 0.3 ? -1 : 1) * (next() * 3 + 1e-3))) },
      { op: 'add', value: per(() => next() - 0.5) },
      { op: 'div', value: per(() => (next() < 0.5 ? -1 : 1) * (next() + 0.01)) },
    ],
  };
}

describe('float32 thresholds (dense_f32_b1)', () => {
  const channels = 64;
  const { bias, steps } = randomChain(channels, 7);
  const pre = (o: number, acc: number) => Math.fround(acc + bias[o]);
  const { threshold, flip } = thresholdsForFloat(channels, pre, steps);
  const model = (o: number, acc: number) => (applySteps(pre(o, acc), steps, o) < 0 ? 1 : 0);

  it('equal the chain\'s sign around every boundary, at the special values and at random floats', () => {
    const next = rng(11);
    const specials = [0, -0, Infinity, -Infinity, 1.4e-45, -1.4e-45, 3.4028234663852886e38, -3.4028234663852886e38, 1, -1];
    let checked = 0;
    for (let o = 0; o < channels; o++) {
      const values = [...specials.filter(Number.isFinite)];
      const boundary = thresholdKeyValue(threshold[o]);
      if (!Number.isNaN(boundary)) {
        const k = orderedIndex(boundary);
        for (let d = -4096; d <= 4096; d++) values.push(orderedFloat32(Math.max(-FLOAT32_MAX_INDEX, Math.min(FLOAT32_MAX_INDEX, k + d))));
      }
      for (let r = 0; r < 20000; r++) values.push(orderedFloat32(Math.round((next() * 2 - 1) * FLOAT32_MAX_INDEX)));
      const wrong = values.filter((acc) => floatThresholdBit(acc, threshold[o], flip[o]) !== model(o, acc));
      expect(wrong, `channel ${o}`).toEqual([]);
      checked += values.length;
    }
    expect(checked).toBeGreaterThan(channels * 20000);
  });

  it('a zero scale is a constant channel; an overflowed sum compares beyond every finite one; NaN is below no threshold', () => {
    const constant = Array.from(steps[1].value).findIndex((v) => v === 0);
    expect(constant).toBeGreaterThanOrEqual(0);
    expect(threshold[constant]).toBe(0);
    const o = Array.from(threshold).findIndex((t) => t !== 0);
    expect(floatThresholdBit(Infinity, threshold[o], flip[o])).toBe(model(o, 3.4028234663852886e38));
    expect(floatThresholdBit(-Infinity, threshold[o], flip[o])).toBe(model(o, -3.4028234663852886e38));
    expect(floatThresholdBit(Number.NaN, threshold[o], flip[o])).toBe(flip[o]);
  });
});
