/**
 * Strict ties: a disagreement with the reference is a tie only where the
 * reference really rounds (integer-input layers, within the bound computed at
 * lowering) or where its sign saw exactly +-0. In a binary layer any
 * disagreement, even at the threshold itself, is unexplained.
 */
import { describe, expect, it } from 'vitest';
import { getGroupedBit } from '../../src/bitops.ts';
import { emulate } from '../../src/emulator/index.ts';
import { layerAccumulator } from '../../src/ops/registry.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import type { LoweredModel } from '../../src/ir/types.ts';
import { runPasses } from '../../src/passes/index.ts';
import type { ReferenceSample } from '../../src/reference/index.ts';
import { compareWithReference, emptyReferenceStats } from '../../src/verify/compareReference.ts';
import { binaryMlp, rng } from '../helpers/onnxBuilder.ts';

/** A reference that agrees with the emulator everywhere (pre-activations +-1), except where `edit` changes it. */
function agreeingReference(model: LoweredModel, input: number[]): ReferenceSample {
  const emu = emulate(model, input);
  const layers = emu.activations.map((bits, l) => {
    const n = model.layers[l].kind === 'dense_b1' || model.layers[l].kind === 'dense_int_b1'
      ? (model.layers[l] as { outFeatures: number }).outFeatures : 0;
    const out = Float64Array.from({ length: n }, (_, f) => (getGroupedBit(bits, f, n) ? -1 : 1));
    return { pre: Float64Array.from(out), out };
  });
  return { layers, logits: Float64Array.from(emu.scores) };
}

function flipFeature(ref: ReferenceSample, l: number, f: number, pre: number): void {
  ref.layers[l].out[f] = pre === 0 ? 0 : Math.sign(pre);
  ref.layers[l].pre[f] = pre;
}

function model(input: 'uint8' | 'binarized'): LoweredModel {
  return runPasses(importOnnx('ties.onnx', {}, binaryMlp({ widths: [20, 40, 30, 4], seed: 9, input })));
}

describe('strict ties', () => {
  it('a binary dense layer has no reach and any disagreement is unexplained, even at pop = T', () => {
    const m = model('binarized');
    const dense = m.layers[2];
    if (dense.kind !== 'dense_b1') throw new Error(`expected dense_b1, got ${dense.kind}`);
    expect(dense.referenceReach).toBeUndefined();
    const next = rng(3);
    const input = Array.from({ length: 20 }, () => next());
    const emu = emulate(m, input);
    // Find a channel of layer 2 whose popcount sits right at its threshold, or any channel.
    let f = 0;
    for (let o = 0; o < dense.outFeatures; o++) {
      const pop = layerAccumulator(dense, emu.activations[1], o);
      if (pop === dense.threshold[o] || pop === dense.threshold[o] + 1) { f = o; break; }
    }
    const ref = agreeingReference(m, input);
    const bit = getGroupedBit(emu.activations[2], f, dense.outFeatures);
    flipFeature(ref, 2, f, bit ? 0.5 : -0.5);
    const stats = emptyReferenceStats('test');
    compareWithReference(m, stats, 0, input, emu, ref);
    expect(stats.divergence).toEqual({ sign0: 0, boundary: 0, unexplained: 1 });
    expect(stats.firstUnexplained).toContain('layer 2');
  });

  it('sign(0) needs an exact zero before the reference sign; NaN is unexplained', () => {
    const m = model('binarized');
    const input = Array.from({ length: 20 }, (_, i) => (i % 3) / 3);
    const emu = emulate(m, input);
    // A channel where bnnc outputs -1, so a reference 0 (or NaN) disagrees with it.
    const f = Array.from({ length: 40 }, (_, o) => o).find((o) => getGroupedBit(emu.activations[1], o, 40) === 1)!;
    for (const [pre, cause] of [[0, 'sign0'], [-0, 'sign0'], [Number.NaN, 'unexplained']] as const) {
      const ref = agreeingReference(m, input);
      ref.layers[1].pre[f] = pre;
      ref.layers[1].out[f] = Number.isNaN(pre) ? Number.NaN : 0;
      const stats = emptyReferenceStats('test');
      compareWithReference(m, stats, 0, input, emu, ref);
      expect(stats.divergence[cause], `pre ${pre}`).toBe(1);
    }
  });

  it('an integer-input layer ties only within its computed reach', () => {
    const m = model('uint8');
    const first = m.layers[0];
    if (first.kind !== 'dense_int_b1') throw new Error(`expected dense_int_b1, got ${first.kind}`);
    expect(first.referenceReach).toBeDefined();
    const reach = first.referenceReach!;
    // 20 inputs of at most 1.0 after Div 255: the error is a few 2^-24 units, below one accumulator step of 1/255.
    expect(Math.max(...reach)).toBe(1);
    const next = rng(11);
    let near = 0;
    let far = 0;
    for (let trial = 0; trial < 400 && (near === 0 || far === 0); trial++) {
      const input = Array.from({ length: 20 }, () => Math.floor(next() * 256));
      const emu = emulate(m, input);
      for (let o = 0; o < first.outFeatures; o++) {
        const acc = layerAccumulator(first, input, o);
        const distance = acc < first.threshold[o] ? first.threshold[o] - 1 - acc : acc - first.threshold[o];
        const isNear = distance < reach[o];
        if ((isNear && near > 0) || (!isNear && far > 0)) continue;
        const ref = agreeingReference(m, input);
        const bit = getGroupedBit(emu.activations[0], o, first.outFeatures);
        // Near the threshold, a tie also needs the reference's value within the slack its rounding allows.
        const value = isNear ? first.referenceSlack![o] / 2 : 0.25;
        flipFeature(ref, 0, o, bit ? value : -value);
        const stats = emptyReferenceStats('test');
        compareWithReference(m, stats, 0, input, emu, ref);
        if (isNear) {
          const clear = agreeingReference(m, input);
          flipFeature(clear, 0, o, bit ? 0.25 : -0.25);
          const clearStats = emptyReferenceStats('test');
          compareWithReference(m, clearStats, 0, input, emu, clear);
          expect(clearStats.divergence.unexplained, `acc ${acc}, T ${first.threshold[o]}: a clearly signed reference value is no tie`).toBe(1);
        }
        if (isNear) { near++; expect(stats.divergence.boundary, `acc ${acc}, T ${first.threshold[o]}`).toBe(1); }
        else { far++; expect(stats.divergence.unexplained, `acc ${acc}, T ${first.threshold[o]}`).toBe(1); }
        expect(stats.tiesPerLayer.length).toBe(isNear ? 1 : 0);
      }
    }
    expect(near).toBeGreaterThan(0);
    expect(far).toBeGreaterThan(0);
  });
});

describe('where the reference rounds in a binary layer', () => {
  it('a fractional Gemm bias over K = 300 (MLAS accumulates it with blocks of products): ties within the reach, 0 unexplained', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { buildOnnx, signs } = await import('../helpers/onnxBuilder.ts');
    const { verifyAgainstReference } = await import('../../src/verify/verify.ts');
    const next = rng(31);
    const [k, n] = [300, 64];
    // Each channel's batch-norm crosses zero one float32 step from f32(d + bias) for a reachable dot d
    // near 0: whether the reference rounds its blocked sum like bnnc's single rounding decides the bit.
    const bias = Array.from({ length: n }, () => Math.fround(next() * 0.9 + 0.05));
    const view = new DataView(new ArrayBuffer(4));
    const dots = bias.map((b) => {
      view.setFloat32(0, Math.fround(2 * Math.floor((next() - 0.5) * 6) + b));
      view.setInt32(0, view.getInt32(0) + (next() < 0.5 ? 1 : -1));
      return view.getFloat32(0);
    });
    const bytes = buildOnnx({
      inputShape: [1, k],
      initializers: {
        half: { dims: [], data: [0.5] }, w: { dims: [k, n], data: signs(k * n, next) },
        bias: { dims: [n], data: bias },
        g: { dims: [n], data: Array(n).fill(1) }, b: { dims: [n], data: Array(n).fill(0) },
        m: { dims: [n], data: dots }, v: { dims: [n], data: Array(n).fill(1) },
        head: { dims: [n, 3], data: signs(n * 3, next) },
      },
      nodes: [
        { op: 'Sub', inputs: ['input', 'half'], outputs: ['c'] },
        { op: 'Sign', inputs: ['c'], outputs: ['x'] },
        { op: 'Gemm', inputs: ['x', 'w', 'bias'], outputs: ['y'] },
        { op: 'BatchNormalization', inputs: ['y', 'g', 'b', 'm', 'v'], outputs: ['z'] },
        { op: 'Sign', inputs: ['z'], outputs: ['h'] },
        { op: 'MatMul', inputs: ['h', 'head'], outputs: ['logits'] },
      ],
      output: 'logits',
    });
    const path = join(mkdtempSync(join(tmpdir(), 'bnnc-gemm-bias-')), 'gemm.onnx');
    writeFileSync(path, bytes);
    const m = importOnnx(path);
    const lowered = runPasses(m);
    const dense = lowered.layers[1];
    if (dense.kind !== 'dense_b1') throw new Error(`expected dense_b1, got ${dense.kind}`);
    expect(dense.referenceReach).toBeDefined();
    expect(Math.max(...dense.referenceReach!)).toBe(1);
    const samples = 300;
    const stats = await verifyAgainstReference(m, lowered, {
      source: path, samples, features: k, shape: [k], labels: null, inputs: Float64Array.from({ length: samples * k }, () => Math.fround(next())),
    });
    expect(stats.divergence.unexplained, stats.firstUnexplained ?? '').toBe(0);
    // The blocked accumulation really decides some bits: these would be unexplained without the reach.
    expect(stats.divergence.boundary).toBeGreaterThan(0);
    expect(stats.tiesPerLayer.map((t) => t.kind)).toContain('dense_b1');
  });
});
