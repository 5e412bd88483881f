/**
 * Issue 9, item 4: fixed-point scores keep the reference's argmax. A final
 * Mul(1e-9) used to round every Q24 multiplier to 0 (constant prediction,
 * 24/40 argmaxes wrong, all called "near-equal logits"); Mul(1e9) stopped with
 * an internal error. A common positive factor never changes the argmax: the
 * fractional bits follow the scale.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/index.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';
import { verifyAgainstReference, verifyOnHost } from '../../src/verify/verify.ts';
import { buildOnnx, rng, signs, type NodeSpec } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-scores-'));

/** Binarized input [1,24] -> dense 40 -> BN -> Sign -> dense 10 (+ Gemm bias) -> BN -> Mul(factor). */
function scaledModel(factor: number, seed: number): Uint8Array {
  const next = rng(seed);
  const bn = (p: string, n: number) => ({
    [`${p}g`]: { dims: [n], data: Array.from({ length: n }, () => next() + 0.2) },
    [`${p}b`]: { dims: [n], data: Array.from({ length: n }, () => next() - 0.5) },
    [`${p}m`]: { dims: [n], data: Array.from({ length: n }, () => (next() - 0.5) * 6) },
    [`${p}v`]: { dims: [n], data: Array.from({ length: n }, () => next() * 30 + 0.5) },
  });
  const nodes: NodeSpec[] = [
    { op: 'Sub', inputs: ['input', 'half'], outputs: ['c'] },
    { op: 'Sign', inputs: ['c'], outputs: ['x'] },
    { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['h1'] },
    { op: 'BatchNormalization', inputs: ['h1', 'ag', 'ab', 'am', 'av'], outputs: ['n1'] },
    { op: 'Sign', inputs: ['n1'], outputs: ['s1'] },
    { op: 'Gemm', inputs: ['s1', 'w2', 'bias'], outputs: ['h2'] },
    { op: 'BatchNormalization', inputs: ['h2', 'bg', 'bb', 'bm', 'bv'], outputs: ['n2'] },
    { op: 'Mul', inputs: ['n2', 'k'], outputs: ['logits'] },
  ];
  return buildOnnx({
    inputShape: [1, 24], nodes, output: 'logits',
    initializers: {
      half: { dims: [], data: [0.5] }, k: { dims: [], data: [factor] },
      w1: { dims: [24, 40], data: signs(960, next) }, w2: { dims: [40, 10], data: signs(400, next) },
      bias: { dims: [10], data: Array.from({ length: 10 }, () => next() - 0.5) },
      ...bn('a', 40), ...bn('b', 10),
    },
  });
}

/** The reference reads the model file: write it, then import it. */
function load(name: string, bytes: Uint8Array) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return importOnnx(path);
}

function dataset(samples: number, seed: number): Dataset {
  const next = rng(seed);
  return { source: 'random', samples, features: 24, shape: [24], inputs: Float64Array.from({ length: samples * 24 }, () => next()), labels: null };
}

describe('fixed-point scores', () => {
  for (const factor of [1e-9, 1e-30, 1, 1e9, 1e30]) {
    it(`Mul(${factor}) after the last layer: onnxruntime's argmax on every sample, no tie`, async () => {
      const model = load(`scaled-${factor}.onnx`, scaledModel(factor, 3));
      const lowered = runPasses(model);
      const last = lowered.layers.at(-1)!;
      if (last.kind !== 'dense_b1_scores') throw new Error(`unexpected ${last.kind}`);
      // The multipliers use the int32 range whatever the factor: at least 2^20 for the largest.
      expect(Math.max(...last.transform!.mult.map(Math.abs))).toBeGreaterThan(2 ** 20);
      const stats = await verifyAgainstReference(model, lowered, dataset(200, 8));
      expect(stats.argmaxEqual).toBe(200);
      expect(stats.logitTies).toBe(0);
      expect(stats.divergence.unexplained).toBe(0);
      expect(stats.logitBound).toBeGreaterThan(0);
      expect(stats.logitBound).toBeLessThan(Math.abs(factor) * 1e-3);
    });
  }

  it('a negative number of fractional bits (Mul(1e9)) builds and runs bit-exact in C', async () => {
    const path = join(dir, 'big.onnx');
    writeFileSync(path, scaledModel(1e9, 5));
    const model = importOnnx(path);
    const lowered = runPasses(model);
    const last = lowered.layers.at(-1)!;
    expect(last.kind === 'dense_b1_scores' && last.transform!.fracBits).toBeLessThan(0);
    const next = rng(2);
    const data = join(dir, 'big.csv');
    writeFileSync(data, Array.from({ length: 50 }, () => Array.from({ length: 24 }, () => next()).join(',')).join('\n'));
    const report = await verifyOnHost(model, lowered, { data, noSanitize: true });
    expect(report.bitExact.host).toEqual({ equal: 50, total: 50 });
    expect(report.reference!.argmaxEqual).toBe(50);
    expect(report.ok).toBe(true);
  });

  it('an argmax difference beyond the bound is unexplained, within it a logit tie', async () => {
    const model = load('tie.onnx', scaledModel(1, 3));
    const lowered = runPasses(model);
    const { compareWithReference, emptyReferenceStats } = await import('../../src/verify/compareReference.ts');
    const { emulate } = await import('../../src/emulator/index.ts');
    const { createReference } = await import('../../src/reference/index.ts');
    const reference = await createReference(model, lowered);
    const data = dataset(1, 4);
    const input = Array.from(data.inputs);
    const emu = emulate(lowered, input);
    const last = lowered.layers.at(-1)!;
    const bound = last.kind === 'dense_b1_scores' ? last.logitBound! : 0;
    for (const [gap, cause] of [[bound / 2, 'tie'], [bound * 4 + 1e-3, 'unexplained']] as const) {
      const ref = await reference.run(Float64Array.from(input));
      const other = (emu.prediction + 1) % 10;
      ref.logits[other] = ref.logits[emu.prediction] + gap; // the reference now prefers another class
      const stats = emptyReferenceStats('test');
      compareWithReference(lowered, stats, 0, input, emu, ref);
      expect(cause === 'tie' ? stats.logitTies : stats.divergence.unexplained, `gap ${gap}`).toBe(1);
    }
  });
});
