/**
 * The bundled examples, end to end: examples/wearable-motion on the host and
 * on the RV32IMC (ESP32-C3) QEMU target.
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

  it('host: bit-exact, equal to onnxruntime, 38/40 correct', async () => {
    const report = await verifyOnHost(model, lowered, { data });
    expect(report.bitExact.host).toEqual({ equal: 40, total: 40 });
    expect(report.bitExact.hostSanitized).toEqual({ equal: 40, total: 40 });
    expect(report.reference!.argmaxEqual).toBe(40);
    expect(report.reference!.divergence.unexplained).toBe(0);
    expect(report.accuracy).toBe(38 / 40);
  });

  const target = loadTarget('esp32c3');
  const skip = toolchainSkipReason(target);
  it.skipIf(skip !== null)(`esp32c3 (RV32IMC) under QEMU: bit-exact${skip ? ` (${skip})` : ''}`, async () => {
    const report = await verifyOnHost(model, lowered, { data, target, noSanitize: true, noReference: true });
    expect(report.bitExact.qemu).toEqual({ equal: 40, total: 40 });
    expect(report.instructionsPerInference).toBeGreaterThan(10_000);
  });
});
