/**
 * Issue 9, item 1: batch-norm folded in onnxruntime's float32 order
 * (inv_std = 1/sqrt(var + eps), scale = inv_std * gamma). The one-channel model
 * below gave onnxruntime class 0 and bnnc class 1 for a dot of -10 when bnnc
 * computed gamma / sqrt(var + eps); every reachable dot must now agree, with
 * no tie at all (the layer is binary, the reference exact).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';
import { createReference } from '../../src/reference/index.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';
import { buildOnnx } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-bn-order-'));

function oneChannelModel(): Uint8Array {
  return buildOnnx({
    inputShape: [1, 32],
    initializers: {
      ones: { dims: [32, 1], data: Array(32).fill(1) },
      g: { dims: [1], data: [1.432] }, b: { dims: [1], data: [2.047013521194458] },
      m: { dims: [1], data: [3.27] }, v: { dims: [1], data: [86.176] },
      head: { dims: [1, 2], data: [1, -1] },
    },
    nodes: [
      { op: 'Sign', inputs: ['input'], outputs: ['xb'] },
      { op: 'MatMul', inputs: ['xb', 'ones'], outputs: ['dot'] },
      { op: 'BatchNormalization', inputs: ['dot', 'g', 'b', 'm', 'v'], outputs: ['bn'], attrs: { epsilon: 1e-5 } },
      { op: 'Sign', inputs: ['bn'], outputs: ['h'] },
      { op: 'MatMul', inputs: ['h', 'head'], outputs: ['logits'] },
    ],
    output: 'logits',
  });
}

/** An input whose sign dot product with all-ones weights is `dot` (no zeros: Sign(0) would be 0). */
function inputWithDot(dot: number): number[] {
  const negatives = (32 - dot) / 2;
  return Array.from({ length: 32 }, (_, i) => (i < negatives ? -0.75 : 0.5));
}

describe('batch-norm in onnxruntime\'s float32 order', () => {
  it('the issue\'s one-channel model: onnxruntime\'s class for every dot, PASS with 0 ties', async () => {
    const path = join(dir, 'one-channel.onnx');
    writeFileSync(path, oneChannelModel());
    const model = importOnnx(path);
    const lowered = runPasses(model);
    const dots = Array.from({ length: 33 }, (_, k) => -32 + 2 * k);
    const reference = await createReference(model, lowered);
    const atMinus10 = await reference.run(Float64Array.from(inputWithDot(-10)));
    expect(reference.engine).toBe('onnxruntime');
    expect(atMinus10.logits[0]).toBeGreaterThan(atMinus10.logits[1]); // onnxruntime: class 0

    const data = join(dir, 'dots.csv');
    writeFileSync(data, dots.map((d) => inputWithDot(d).join(',')).join('\n'));
    const report = await verifyOnHost(model, lowered, { data, noSanitize: true });
    expect(report.reference!.argmaxEqual).toBe(dots.length);
    expect(report.reference!.ties).toBe(0);
    expect(report.reference!.divergence).toEqual({ sign0: 0, boundary: 0, unexplained: 0 });
    expect(report.ok).toBe(true);
  });
});
