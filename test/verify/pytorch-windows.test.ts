/**
 * A random-weight CNN exported by PyTorch itself (test/fixtures/pytorch-windows/make.py):
 * MaxPool2d(3, stride=2, padding=1) after a sign and before a batch-norm, a
 * grouped convolution (5 channels per group) and a depthwise dilated one. The
 * generated C is bit-exact with the emulator on the host (strict and ASan) and
 * under QEMU, and the emulator's classes equal onnxruntime's and PyTorch's.
 */
import { describe, expect, it } from 'vitest';
import { emulate } from '../../src/emulator/index.ts';
import { loadModel } from '../../src/importers/index.ts';
import { deviceInputOrder } from '../../src/ops/registry.ts';
import { runPasses } from '../../src/passes/index.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';
import { readFileSync } from 'node:fs';

const DIR = 'test/fixtures/pytorch-windows';
const data = `${DIR}/inputs.npy`;
/** What make.py prints: PyTorch's argmax for the 24 samples of inputs.npy. */
const TORCH_CLASSES = [5, 5, 5, 5, 5, 5, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 3, 5, 5, 5, 5, 5, 5];

/** The float32 samples of a 2-D .npy (little-endian '<f4'), row by row. */
function npyRows(path: string): Float32Array[] {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const [rows, cols] = (/'shape': \((\d+), (\d+)\)/.exec(header) ?? []).slice(1).map(Number);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + 10 + headerLength + 4 * rows * cols));
  return Array.from({ length: rows }, (_, r) => values.subarray(r * cols, (r + 1) * cols));
}

describe('a PyTorch export with grouped, depthwise dilated convolutions and padded overlapping max-pools', () => {
  const model = loadModel(`${DIR}/grouped-dilated-cnn.onnx`);
  const lowered = runPasses(model);

  it('lowers to the grouped kernel, the padded bit pool and the pooled accumulators', () => {
    expect(lowered.layers.map((l) => l.kind)).toEqual(['binarize_input', 'conv2d_b1', 'maxpool_b1', 'conv2d_grouped_b1', 'conv2d_grouped_b1', 'dense_b1_scores']);
    const [, , bitPool, grouped, depthwise] = lowered.layers;
    expect(bitPool.kind === 'maxpool_b1' && bitPool.pads).toEqual([1, 1, 1, 1]);
    expect(grouped.kind === 'conv2d_grouped_b1' && [grouped.groups, grouped.pool, grouped.poolStride, grouped.poolPads]).toEqual([4, [3, 3], [2, 2], [1, 1]]);
    expect(depthwise.kind === 'conv2d_grouped_b1' && [depthwise.groups, depthwise.dilation]).toEqual([40, [2, 2]]);
  });

  it('host (strict, ASan): bit-exact, equal to onnxruntime on every activation, and to PyTorch\'s classes', async () => {
    const report = await verifyOnHost(model, lowered, { data });
    expect(report.bitExact.host).toEqual({ equal: 24, total: 24 });
    expect(report.bitExact.hostSanitized).toEqual({ equal: 24, total: 24 });
    expect(report.reference!.engine).toBe('onnxruntime');
    expect(report.reference!.divergence.unexplained).toBe(0);
    expect(report.reference!.argmaxEqual).toBe(24);
    // The device reads the RGB image HWC (interleaved pixels); the .npy rows are NCHW, as verify's data.
    const order = deviceInputOrder(lowered)!;
    expect(npyRows(data).map((x) => emulate(lowered, Array.from(order, (i) => x[i])).prediction)).toEqual(TORCH_CLASSES);
  });

  for (const name of ['stm32f4', 'esp32c3']) {
    const target = loadTarget(name);
    const skip = toolchainSkipReason(target);
    it.skipIf(skip !== null)(`${name} under QEMU: bit-exact${skip ? ` (${skip})` : ''}`, async () => {
      const report = await verifyOnHost(model, lowered, { data, limit: 6, target, noSanitize: true, noReference: true });
      expect(report.bitExact.qemu).toEqual({ equal: 6, total: 6 });
    });
  }
});
