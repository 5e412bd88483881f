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
import { binaryCnn, rng, type ConvSpec } from '../helpers/onnxBuilder.ts';

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
