/**
 * L2: the generated C, compiled for the host (strict and ASan/UBSan builds),
 * bit-exact against the emulator on layer widths that are not multiples of 32,
 * and compared with onnxruntime.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulate } from '../../src/emulator/index.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';
import { compareHostOutput, verifyOnHost } from '../../src/verify/verify.ts';
import { binaryMlp, rng } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-host-'));

function csv(path: string, rows: number[][]): string {
  writeFileSync(path, rows.map((r) => r.join(',')).join('\n'));
  return path;
}

const shapes: [string, number[], 'uint8' | 'binarized'][] = [
  ['uint8 input, widths 1/31/33/100', [31, 1, 33, 100, 5], 'uint8'],
  ['uint8 input, 100 -> 33 -> 31 -> 2', [100, 33, 31, 2], 'uint8'],
  ['binarized float input, 33 -> 100 -> 1 -> 31 -> 3', [33, 100, 1, 31, 3], 'binarized'],
];

describe('host C is bit-exact with the emulator', () => {
  for (const [what, widths, input] of shapes) {
    it(what, async () => {
      const path = join(dir, `${widths.join('x')}.onnx`);
      writeFileSync(path, binaryMlp({ widths, seed: widths.length * 7 + widths[1], input }));
      const model = importOnnx(path);
      const next = rng(widths[0]);
      const rows = Array.from({ length: 300 }, () => Array.from({ length: widths[0] },
        () => (input === 'uint8' ? Math.floor(next() * 256) : Math.fround(next()))));
      const data = csv(join(dir, `${widths.join('x')}.csv`), rows);
      const report = await verifyOnHost(model, runPasses(model), { data });
      expect(report.firstMismatch).toBeNull();
      expect(report.bitExact.host).toEqual({ equal: 300, total: 300 });
      expect(report.bitExact.hostSanitized).toEqual({ equal: 300, total: 300 });
      expect(report.reference!.engine).toBe('onnxruntime');
      expect(report.reference!.divergence.unexplained).toBe(0);
      expect(report.reference!.argmaxEqual + report.reference!.logitTies).toBe(300);
      expect(report.ok).toBe(true);
    });
  }

  it('a single flipped output bit in the C output is reported with sample, layer and channel', () => {
    const model = runPasses(importOnnx('m.onnx', {}, binaryMlp({ widths: [40, 33, 4], seed: 1, input: 'uint8' })));
    const inputs = [Array.from({ length: 40 }, (_, i) => (i * 37) % 256), Array.from({ length: 40 }, (_, i) => (i * 11) % 256)];
    const emu = inputs.map((x) => emulate(model, x));
    const perSample = 8 + 4 * 5; // 33 bits = 2 words, then 4 scores + class
    const out = Buffer.alloc(perSample * 2);
    emu.forEach((r, s) => {
      r.activations[0].forEach((w, i) => out.writeUInt32LE(w, s * perSample + 4 * i));
      [...r.scores, r.prediction].forEach((v, i) => out.writeInt32LE(v, s * perSample + 8 + 4 * i));
    });
    expect(compareHostOutput(model, emu, out, 'host').first).toBeNull();
    out.writeUInt32LE(out.readUInt32LE(perSample + 4) ^ 1, perSample + 4); // sample 1, channel 32
    const r = compareHostOutput(model, emu, out, 'host');
    expect(r.count).toEqual({ equal: 1, total: 2 });
    expect(r.first).toMatch(/sample 1, layer 0 .*channel 32/);
  });
});
