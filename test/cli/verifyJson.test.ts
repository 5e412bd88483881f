/** `bnnc verify --json`: the documented fields, with the reference's ties per layer and logit bound. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { binaryMlp, rng } from '../helpers/onnxBuilder.ts';

describe('bnnc verify --json', () => {
  it('keeps its fields and adds reference.tiesPerLayer and reference.logitBound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bnnc-verify-json-'));
    const model = join(dir, 'mlp.onnx');
    writeFileSync(model, binaryMlp({ widths: [16, 20, 3], seed: 11, input: 'uint8' }));
    const next = rng(6);
    const data = join(dir, 'data.csv');
    writeFileSync(data, Array.from({ length: 30 }, () => Array.from({ length: 16 }, () => Math.floor(next() * 256)).join(',')).join('\n'));
    const out: string[] = [];
    const code = await main(['node', 'bnnc', 'verify', model, '--data', data, '--json', '--no-sanitize'], { out: (l) => out.push(l), err: () => {} });
    expect(code).toBe(0);
    const report = JSON.parse(out.join('\n'));
    for (const key of ['model', 'target', 'samples', 'bitExact', 'reference', 'accuracy', 'flashBytes', 'ramBytes', 'firstMismatch', 'selftest', 'ok']) {
      expect(report, key).toHaveProperty(key);
    }
    const ref = report.reference;
    for (const key of ['engine', 'total', 'argmaxEqual', 'ties', 'activations', 'divergence', 'logitTies', 'firstUnexplained']) expect(ref, key).toHaveProperty(key);
    expect(ref.engine).toBe('onnxruntime');
    expect(Array.isArray(ref.tiesPerLayer)).toBe(true);
    expect(ref.tiesPerLayer.reduce((s: number, t: { sign0: number; boundary: number }) => s + t.sign0 + t.boundary, 0))
      .toBe(ref.divergence.sign0 + ref.divergence.boundary);
    // The last layer is a batch-norm: fixed-point logits, so a positive stated bound, far below one logit step.
    expect(ref.logitBound).toBeGreaterThan(0);
    expect(ref.logitBound).toBeLessThan(1e-3);
  });
});
