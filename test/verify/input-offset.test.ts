/**
 * Issue 9 item 8: an input offset (x / 127.5 - 1, torchvision's Normalize) in
 * front of an unpadded integer convolution adds b * sum(w) to every position's
 * pre-activation; the folded threshold must include it. Checked against
 * onnxruntime on every activation.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';
import { binaryCnn, binaryMlp, rng } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-offset-'));

function writeData(name: string, features: number, seed: number): string {
  const next = rng(seed);
  const rows = Array.from({ length: 60 }, () => Array.from({ length: features }, () => Math.floor(next() * 256)));
  const path = join(dir, name);
  writeFileSync(path, rows.map((r) => r.join(',')).join('\n'));
  return path;
}

describe('input offset before the first integer layer', () => {
  it('unpadded LeNet-style convolution after (x / 127.5 - 1): PASS, 0 unexplained', async () => {
    const path = join(dir, 'lenet.onnx');
    writeFileSync(path, binaryCnn({ input: [1, 12, 12], convs: [{ out: 16, kernel: 5, poolBefore: true }, { out: 8, kernel: 3 }], dense: [10], seed: 5, inputType: 'normalized' }));
    const model = importOnnx(path);
    const lowered = runPasses(model);
    expect(lowered.layers[0].kind).toBe('conv2d_int_b1');
    const report = await verifyOnHost(model, lowered, { data: writeData('lenet.csv', 144, 1), noSanitize: true });
    expect(report.reference!.engine).toBe('onnxruntime');
    expect(report.reference!.divergence.unexplained).toBe(0);
    expect(report.reference!.activations.equal).toBe(report.reference!.activations.total);
    expect(report.ok).toBe(true);
  });

  it('dense first layer after (x / 127.5 - 1): PASS, 0 unexplained', async () => {
    const path = join(dir, 'mlp.onnx');
    writeFileSync(path, binaryMlp({ widths: [64, 40, 5], seed: 3, input: 'normalized' }));
    const model = importOnnx(path);
    const report = await verifyOnHost(model, runPasses(model), { data: writeData('mlp.csv', 64, 2), noSanitize: true });
    expect(report.reference!.divergence.unexplained).toBe(0);
    expect(report.ok).toBe(true);
  });

  it('a negative input scale: verified without a pool before the threshold, refused with one (the kernel pools max(acc))', async () => {
    const plain = join(dir, 'inverted.onnx');
    writeFileSync(plain, binaryCnn({ input: [1, 10, 10], convs: [{ out: 12, kernel: 3 }, { out: 8, kernel: 3 }], dense: [4], seed: 8, inputType: 'inverted' }));
    const model = importOnnx(plain);
    const report = await verifyOnHost(model, runPasses(model), { data: writeData('inverted.csv', 100, 3), noSanitize: true });
    expect(report.reference!.divergence.unexplained).toBe(0);
    expect(report.ok).toBe(true);
    const pooled = join(dir, 'inverted-pool.onnx');
    writeFileSync(pooled, binaryCnn({ input: [1, 10, 10], convs: [{ out: 12, kernel: 3, poolBefore: true }, { out: 8, kernel: 2 }], dense: [4], seed: 8, inputType: 'inverted' }));
    expect(() => runPasses(importOnnx(pooled))).toThrow(/negative\) in front of a convolution whose max-pool comes before/);
  });
});
