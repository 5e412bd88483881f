/**
 * Random convolution layers (kernel 1..5, stride 1..2, every padding mode,
 * channels 1..70, outputs down to 1x1): emulator = host C bit for bit, and =
 * the float reference on every activation (onnxruntime for float-zero padding;
 * the float-IR interpreter for +1/-1 padding, which ONNX Conv cannot express).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import type { Conv2dLayer, Model, Padding } from '../../src/ir/types.ts';
import { runPasses } from '../../src/passes/index.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';
import { binaryCnn, rng, type CnnSpec, type ConvSpec, type PoolSpec } from '../helpers/onnxBuilder.ts';
import { listTargets } from '../../src/targets/load.ts';
import type { Target } from '../../src/targets/types.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-conv-'));

interface Case {
  name: string;
  input: [number, number, number];
  convs: ConvSpec[];
  padding: Padding;
}

function randomCases(count: number): Case[] {
  const next = rng(2026);
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const k = 1 + Math.floor(next() * 5);
    const stride = 1 + Math.floor(next() * 2);
    const size = Math.max(k, 1 + Math.floor(next() * 9));
    const padMode = pick(['pads', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const);
    const conv: ConvSpec = { out: 1 + Math.floor(next() * 70), kernel: k, stride, ...(padMode === 'pads' ? { pads: Math.floor(next() * Math.min(k, 3)) } : { autoPad: padMode }) };
    const padding = pick(['zero', 'zero', 'plus', 'minus'] as Padding[]);
    const c0 = pick([1, 1, 3]);
    const first: ConvSpec = { out: 1 + Math.floor(next() * 70), kernel: pick([1, 3]), pads: 1 };
    // 3 input channels are binarized here (HWC on the device); integer and float32 RGB inputs: image-inputs.test.ts.
    cases.push({ name: `${c0}x${size}x${size} -> c${first.out} -> k${k} s${stride} ${padMode} ${padding} c${conv.out}`, input: [c0, size, size], convs: [first, conv], padding });
  }
  return cases;
}

function modelFor(c: Case, index: number): Model {
  const bytes = binaryCnn({ input: c.input, convs: c.convs, dense: [7], seed: index + 1, inputType: c.input[0] === 1 ? 'uint8' : 'binarized' });
  const path = join(dir, `case${index}.onnx`);
  writeFileSync(path, bytes);
  const model = importOnnx(path);
  if (c.padding === 'zero') return model;
  // +1/-1 padding (Larq pad_values): the float-IR reference evaluates it.
  const layers = model.layers.map((l) => (l.kind === 'conv2d' && l.name === 'conv1' ? { ...l, padding: c.padding } as Conv2dLayer : l));
  return { ...model, layers, sourceFormat: 'bnn.json' };
}

describe('random conv layers: emulator = host C = float reference', () => {
  randomCases(14).forEach((c, index) => {
    it(c.name, async () => {
      const model = modelFor(c, index);
      const lowered = runPasses(model);
      const next = rng(index + 100);
      const n = c.input[0] * c.input[1] * c.input[2];
      const rows = Array.from({ length: 40 }, () => Array.from({ length: n }, () => Math.floor(next() * 256)));
      const data = join(dir, `case${index}.csv`);
      writeFileSync(data, rows.map((r) => r.join(',')).join('\n'));
      const report = await verifyOnHost(model, lowered, { data, scale: c.input[0] === 1 ? 1 : 1 / 255, noSanitize: index % 4 !== 0 });
      expect(report.firstMismatch).toBeNull();
      expect(report.bitExact.host).toEqual({ equal: 40, total: 40 });
      expect(report.reference!.engine).toBe(c.padding === 'zero' ? 'onnxruntime' : 'bnnc-float-ir');
      expect(report.reference!.divergence.unexplained).toBe(0);
      expect(report.ok).toBe(true);
    });
  });
});

/**
 * Random windows as PyTorch writes them: Conv1d (height 1) or Conv2d, a zero
 * Pad node folded into the conv, max-pools that overlap and are padded
 * (MaxPool2d(3, stride=2, padding=1)) before the batch-norm (pooled
 * accumulators) or after the sign (bits), overlapping average pools before the
 * batch-norm. Emulator = host C (and ASan) = onnxruntime on every activation.
 */
interface WindowCase {
  name: string;
  spec: CnnSpec;
}

function randomPool(next: () => number, average: boolean): PoolSpec {
  const kernel = 2 + Math.floor(next() * 2);
  const stride = 1 + Math.floor(next() * kernel);
  const pads = average ? 0 : Math.floor(next() * (Math.floor(kernel / 2) + 1));
  return { op: average ? 'AveragePool' : 'MaxPool', kernel, stride, pads };
}

const poolText = (p: PoolSpec | boolean | undefined) => (typeof p === 'object' ? `${p.op === 'MaxPool' ? 'max' : 'avg'}${p.kernel}s${p.stride}p${p.pads}` : '-');

function randomWindowCases(count: number): WindowCase[] {
  const next = rng(1313);
  const cases: WindowCase[] = [];
  for (let i = 0; i < count; i++) {
    const oneD = i % 2 === 0;
    const c0 = oneD ? 1 + Math.floor(next() * 6) : 1 + 2 * Math.floor(next() * 2);
    const size = oneD ? 16 + Math.floor(next() * 40) : 8 + Math.floor(next() * 6);
    const first: ConvSpec = { out: 1 + Math.floor(next() * 40), kernel: 3, pads: i % 3 === 0 ? 0 : 1, padNode: i % 3 === 0 ? 1 : 0 };
    const roll = next();
    const poolBefore = roll < 0.45 ? randomPool(next, false) : roll < 0.7 ? randomPool(next, true) : undefined;
    const second: ConvSpec = {
      out: 1 + Math.floor(next() * 70), kernel: 1 + Math.floor(next() * 3), stride: 1 + Math.floor(next() * 2), pads: Math.floor(next() * 2),
      padNode: next() < 0.4 ? 1 + Math.floor(next() * 2) : 0,
      ...(next() < 0.6 ? { poolAfter: randomPool(next, false) } : {}),
    };
    const firstWithPool = { ...first, ...(poolBefore ? { poolBefore } : {}) };
    const spec: CnnSpec = { input: [c0, oneD ? 1 : size, size], oneD, convs: [firstWithPool, second], dense: [5], seed: 500 + i, inputType: c0 === 1 ? 'uint8' : 'binarized' };
    const name = `${oneD ? '1d' : '2d'} ${c0}x${oneD ? '' : `${size}x`}${size} pad${first.padNode} c${first.out} ${poolText(poolBefore)} -> pad${second.padNode} k${second.kernel} s${second.stride} c${second.out} ${poolText(second.poolAfter)}`;
    cases.push({ name, spec });
  }
  return cases;
}

async function verifyWindowCase(c: WindowCase, index: number, options: { target?: Target; sanitize: boolean; samples: number }) {
  const path = join(dir, `window${index}.onnx`);
  writeFileSync(path, binaryCnn(c.spec));
  const model = importOnnx(path);
  const lowered = runPasses(model);
  const next = rng(index + 700);
  const n = c.spec.input[0] * c.spec.input[1] * c.spec.input[2];
  const rows = Array.from({ length: options.samples }, () => Array.from({ length: n }, () => Math.floor(next() * 256)));
  const data = join(dir, `window${index}.csv`);
  writeFileSync(data, rows.map((r) => r.join(',')).join('\n'));
  const report = await verifyOnHost(model, lowered, {
    data, scale: c.spec.input[0] === 1 ? 1 : 1 / 255, noSanitize: !options.sanitize, ...(options.target ? { target: options.target } : {}),
  });
  return { model, lowered, report };
}

describe('random 1-D and 2-D windows (Pad, overlapping padded max-pool before and after the threshold): emulator = host C = onnxruntime', () => {
  randomWindowCases(16).forEach((c, index) => {
    it(c.name, async () => {
      const { lowered, report } = await verifyWindowCase(c, index, { sanitize: index % 3 === 0, samples: 40 });
      expect(report.firstMismatch).toBeNull();
      expect(report.bitExact.host).toEqual({ equal: 40, total: 40 });
      if (index % 3 === 0) expect(report.bitExact.hostSanitized).toEqual({ equal: 40, total: 40 });
      expect(report.reference!.engine).toBe('onnxruntime');
      expect(report.reference!.divergence.unexplained).toBe(0);
      expect(report.reference!.argmaxEqual / report.reference!.total).toBeGreaterThanOrEqual(0.99);
      expect(report.ok).toBe(true);
      // The pools and pads reach the kernels: no Pad or pool is dropped on the way.
      const pooled = [c.spec.convs[0].poolBefore, c.spec.convs[1].poolAfter].filter(Boolean).length;
      expect(lowered.layers.filter((l) => l.kind === 'maxpool_b1' || ('pool' in l && l.pool[0] * l.pool[1] > 1)).length).toBe(pooled);
    });
  });
});

for (const name of ['stm32f4', 'esp32c3']) {
  const target = listTargets().find((t) => t.name === name)!;
  const skip = toolchainSkipReason(target);
  describe.skipIf(skip !== null)(`random windows under QEMU ${name}${skip ? ` (${skip})` : ''}`, () => {
    // Every padded max-pool (before and after the threshold), an average pool, 1-D and 2-D.
    const chosen = new Set([0, 3, 8, 10, 11, 14, 15]);
    randomWindowCases(16).forEach((c, index) => {
      if (!chosen.has(index)) return;
      it(c.name, async () => {
        const { report } = await verifyWindowCase(c, index, { target, sanitize: false, samples: 8 });
        expect(report.firstMismatch).toBeNull();
        expect(report.bitExact.qemu).toEqual({ equal: 8, total: 8 });
        expect(report.reference!.divergence.unexplained).toBe(0);
        expect(report.ok).toBe(true);
      });
    });
  });
}

/**
 * Grouped (depthwise too, channels per group not a multiple of 32, groups
 * starting in the middle of a word) and dilated binary convolutions (TCN-style
 * causal dilated Conv1d with a Pad in front): the conv2d_grouped_b1 kernel.
 */
function randomGroupedCases(count: number): WindowCase[] {
  const next = rng(4242);
  const cases: WindowCase[] = [];
  for (let i = 0; i < count; i++) {
    const oneD = i % 2 === 1;
    const groupsChoice = [1, 2, 3, 5][Math.floor(next() * 4)];
    const perGroup = [1, 7, 20, 33, 35][Math.floor(next() * 5)];
    const depthwise = i % 4 === 0;
    const c1 = depthwise ? 4 + Math.floor(next() * 60) : groupsChoice * perGroup;
    const groups = depthwise ? c1 : groupsChoice;
    const dilation = i % 3 === 0 ? 1 : 1 + Math.floor(next() * 3);
    const kernel = 2 + Math.floor(next() * 2);
    const size = oneD ? 24 + Math.floor(next() * 30) : 10 + Math.floor(next() * 5);
    const out = groups * (depthwise ? 1 + Math.floor(next() * 2) : 1 + Math.floor(next() * 3));
    const first: ConvSpec = { out: c1, kernel: 3, pads: 1 };
    const second: ConvSpec = {
      out, kernel, groups, dilation, stride: 1 + Math.floor(next() * 2),
      ...(oneD ? { padNode: dilation * (kernel - 1) } : { pads: Math.floor(next() * 2) }),
      ...(next() < 0.3 ? { poolBefore: randomPool(next, false) } : next() < 0.5 ? { poolAfter: randomPool(next, false) } : {}),
    };
    const spec: CnnSpec = { input: [1, oneD ? 1 : size, size], oneD, convs: [first, second], dense: [5], seed: 900 + i, inputType: 'uint8' };
    const name = `${oneD ? '1d' : '2d'} ${size} c${c1} -> groups ${groups}${depthwise ? ' (depthwise)' : ''} dilation ${dilation} k${kernel} s${second.stride} c${out} ${poolText(second.poolBefore)} ${poolText(second.poolAfter)}`;
    cases.push({ name, spec });
  }
  return cases;
}

describe('random grouped, depthwise and dilated binary convolutions: emulator = host C = onnxruntime', () => {
  randomGroupedCases(12).forEach((c, index) => {
    it(c.name, async () => {
      const { lowered, report } = await verifyWindowCase(c, 100 + index, { sanitize: index % 3 === 0, samples: 40 });
      const second = c.spec.convs[1];
      const grouped = (second.groups ?? 1) > 1 || (second.dilation ?? 1) > 1;
      expect(lowered.layers[1].kind).toBe(grouped ? 'conv2d_grouped_b1' : 'conv2d_b1');
      expect(report.firstMismatch).toBeNull();
      expect(report.bitExact.host).toEqual({ equal: 40, total: 40 });
      if (index % 3 === 0) expect(report.bitExact.hostSanitized).toEqual({ equal: 40, total: 40 });
      expect(report.reference!.engine).toBe('onnxruntime');
      expect(report.reference!.divergence.unexplained).toBe(0);
      expect(report.reference!.argmaxEqual / report.reference!.total).toBeGreaterThanOrEqual(0.99);
      expect(report.ok).toBe(true);
    });
  });
});

for (const name of ['stm32f4', 'esp32c3']) {
  const target = listTargets().find((t) => t.name === name)!;
  const skip = toolchainSkipReason(target);
  describe.skipIf(skip !== null)(`random grouped and dilated convolutions under QEMU ${name}${skip ? ` (${skip})` : ''}`, () => {
    // Depthwise, grouped across word boundaries, and the dilated causal Conv1d cases.
    const chosen = new Set([0, 1, 3, 4, 7, 8, 11]);
    randomGroupedCases(12).forEach((c, index) => {
      if (!chosen.has(index)) return;
      it(c.name, async () => {
        const { report } = await verifyWindowCase(c, 100 + index, { target, sanitize: false, samples: 8 });
        expect(report.firstMismatch).toBeNull();
        expect(report.bitExact.qemu).toEqual({ equal: 8, total: 8 });
        expect(report.reference!.divergence.unexplained).toBe(0);
        expect(report.ok).toBe(true);
      });
    });
  });
}
