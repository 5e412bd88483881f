/**
 * Pooling before the threshold (AveragePool, GlobalAveragePool, MaxPool on
 * accumulators) and after it (MaxPool on binary activations): emulator = host C
 * = onnxruntime on every activation.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';
import { buildOnnx, rng } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-pool-'));

function poolingModel(): Uint8Array {
  const next = rng(9);
  const w = (n: number) => Array.from({ length: n }, () => (next() < 0.5 ? -1 : 1));
  const bn = (p: string, n: number) => ({
    [`${p}g`]: { dims: [n], data: Array.from({ length: n }, () => next() - 0.3) },
    [`${p}b`]: { dims: [n], data: Array.from({ length: n }, () => next() - 0.5) },
    [`${p}m`]: { dims: [n], data: Array.from({ length: n }, () => (next() - 0.5) * 10) },
    [`${p}v`]: { dims: [n], data: Array.from({ length: n }, () => next() * 50 + 1) },
  });
  return buildOnnx({
    inputShape: [1, 1, 10, 10], metadata: { 'bnnc.input_type': 'uint8' },
    initializers: {
      s: { dims: [], data: [255] }, c0: { dims: [12, 1, 3, 3], data: w(108) }, c1: { dims: [20, 12, 3, 3], data: w(2160) },
      c2: { dims: [20, 20, 1, 1], data: w(400) }, d: { dims: [20, 4], data: w(80) }, ...bn('a', 12), ...bn('b', 20), ...bn('e', 20), ...bn('c', 4),
    },
    nodes: [
      { op: 'Div', inputs: ['input', 's'], outputs: ['x'] },
      { op: 'Conv', inputs: ['x', 'c0'], outputs: ['y0'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'AveragePool', inputs: ['y0'], outputs: ['p0'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'BatchNormalization', inputs: ['p0', 'ag', 'ab', 'am', 'av'], outputs: ['n0'] },
      { op: 'Sign', inputs: ['n0'], outputs: ['s0'] },
      { op: 'Conv', inputs: ['s0', 'c1'], outputs: ['y1'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'MaxPool', inputs: ['y1'], outputs: ['p1'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'BatchNormalization', inputs: ['p1', 'eg', 'eb', 'em', 'ev'], outputs: ['n1'] },
      { op: 'Sign', inputs: ['n1'], outputs: ['s1'] },
      { op: 'Conv', inputs: ['s1', 'c2'], outputs: ['y2'], attrs: { kernel_shape: [1, 1] } },
      { op: 'GlobalAveragePool', inputs: ['y2'], outputs: ['p2'] },
      { op: 'BatchNormalization', inputs: ['p2', 'bg', 'bb', 'bm', 'bv'], outputs: ['n2'] },
      { op: 'Sign', inputs: ['n2'], outputs: ['s2'] },
      { op: 'Flatten', inputs: ['s2'], outputs: ['f'] },
      { op: 'MatMul', inputs: ['f', 'd'], outputs: ['z'] },
      { op: 'BatchNormalization', inputs: ['z', 'cg', 'cb', 'cm', 'cv'], outputs: ['out'] },
    ],
    output: 'out',
  });
}

describe('pooling', () => {
  it('average, max and global-average pooling of accumulators are exact', async () => {
    const path = join(dir, 'pool.onnx');
    writeFileSync(path, poolingModel());
    const model = importOnnx(path);
    const lowered = runPasses(model);
    expect(lowered.layers.map((l) => l.kind)).toEqual(['conv2d_int_b1', 'conv2d_b1', 'conv2d_b1', 'dense_b1_scores']);
    expect(lowered.layers.map((l) => ('poolMode' in l ? `${l.poolMode}${l.pool.join('x')}` : '-'))).toEqual(['sum2x2', 'max2x2', 'sum2x2', '-']);
    const next = rng(4);
    const data = join(dir, 'pool.csv');
    writeFileSync(data, Array.from({ length: 200 }, () => Array.from({ length: 100 }, () => Math.floor(next() * 256)).join(',')).join('\n'));
    const report = await verifyOnHost(model, lowered, { data });
    expect(report.bitExact.host).toEqual({ equal: 200, total: 200 });
    expect(report.bitExact.hostSanitized).toEqual({ equal: 200, total: 200 });
    expect(report.reference!.engine).toBe('onnxruntime');
    expect(report.reference!.divergence.unexplained).toBe(0);
    expect(report.ok).toBe(true);
  });
});
