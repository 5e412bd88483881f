/**
 * The bundled examples, end to end: examples/wearable-motion on the host and
 * on the RV32IMC (ESP32-C3) QEMU target; examples/mnist-cnn on the host and on
 * Cortex-M4 and RV32IMC under QEMU.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/importers/index.ts';
import { runPasses } from '../../src/passes/index.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';

describe('examples/wearable-motion', () => {
  const model = loadModel('examples/wearable-motion/model.onnx');
  const lowered = runPasses(model);
  const data = 'examples/wearable-motion/data/test.npz';

  it('host: bit-exact, equal to onnxruntime, 40/40 correct', async () => {
    const report = await verifyOnHost(model, lowered, { data });
    expect(report.bitExact.host).toEqual({ equal: 40, total: 40 });
    expect(report.bitExact.hostSanitized).toEqual({ equal: 40, total: 40 });
    expect(report.reference!.argmaxEqual).toBe(40);
    expect(report.reference!.divergence.unexplained).toBe(0);
    expect(report.accuracy).toBe(40 / 40);
    // A Conv1d network: the int8 first convolution, a padded overlapping max-pool on bits, the causal Pad folded into the second convolution.
    expect(lowered.layers.map((l) => l.kind)).toEqual(['conv2d_int_b1', 'maxpool_b1', 'conv2d_b1', 'dense_b1_scores']);
  });

  const target = loadTarget('esp32c3');
  const skip = toolchainSkipReason(target);
  it.skipIf(skip !== null)(`esp32c3 (RV32IMC) under QEMU: bit-exact${skip ? ` (${skip})` : ''}`, async () => {
    const report = await verifyOnHost(model, lowered, { data, target, noSanitize: true, noReference: true });
    expect(report.bitExact.qemu).toEqual({ equal: 40, total: 40 });
    expect(report.instructionsPerInference).toBeGreaterThan(10_000);
  });
});

describe('examples/mnist-cnn', () => {
  const model = loadModel('examples/mnist-cnn/model.onnx');
  const lowered = runPasses(model);
  const data = 'datasets/mnist-test';

  it('lowers to convolutions with both pooling orders and an arena at its lower bound', () => {
    expect(lowered.layers.map((l) => l.kind)).toEqual(['conv2d_int_b1', 'conv2d_b1', 'conv2d_b1', 'maxpool_b1', 'dense_b1', 'dense_b1_scores']);
    expect(lowered.layers.some((l) => 'pool' in l && l.pool[0] === 2 && l.poolMode === 'max')).toBe(true);
    expect(lowered.memory.arenaBytes).toBe(lowered.memory.lowerBoundBytes);
  });

  it('host: bit-exact and equal to onnxruntime on the first 300 test images', async () => {
    const report = await verifyOnHost(model, lowered, { data, limit: 300 });
    expect(report.bitExact.host).toEqual({ equal: 300, total: 300 });
    expect(report.bitExact.hostSanitized).toEqual({ equal: 300, total: 300 });
    expect(report.reference!.engine).toBe('onnxruntime');
    expect(report.reference!.divergence.unexplained).toBe(0);
    expect(report.reference!.argmaxEqual + report.reference!.logitTies).toBe(300);
  });

  for (const name of ['stm32f4', 'esp32c3']) {
    const target = loadTarget(name);
    const skip = toolchainSkipReason(target);
    it.skipIf(skip !== null)(`${name} under QEMU: bit-exact on 12 test images${skip ? ` (${skip})` : ''}`, async () => {
      const report = await verifyOnHost(model, lowered, { data, limit: 12, target, noSanitize: true, noReference: true });
      expect(report.bitExact.qemu).toEqual({ equal: 12, total: 12 });
    });
  }
});
