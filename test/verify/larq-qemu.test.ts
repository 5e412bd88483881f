/**
 * L3 for the Larq fixtures (examples/larq): each model, read from its .keras
 * file, cross-compiled for stm32f4 and esp32c3 and run under QEMU on 300 of
 * the bundled MNIST test images, bit-exact with the emulator, with 100 % argmax
 * agreement with the Larq reference. Skips loudly without toolchains unless
 * BNNC_REQUIRE_TOOLCHAINS=1.
 */
import { describe, expect, it } from 'vitest';
import { loadModel, type LoadModelOptions } from '../../src/importers/index.ts';
import { runPasses } from '../../src/passes/index.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';

const FIXTURES: { file: string; options: LoadModelOptions }[] = [
  { file: 'examples/larq/mnist_cnn.keras', options: { inputScale: 1 / 127.5, inputZeroPoint: 127.5 } },
  { file: 'examples/larq/mnist_mlp.h5', options: {} },
  { file: 'examples/larq/options.h5', options: {} },
  { file: 'examples/larq/breadth.keras', options: {} }, // depthwise, grouped and dilated binary convolutions
];

for (const name of ['stm32f4', 'esp32c3']) {
  const target = loadTarget(name);
  const skip = toolchainSkipReason(target);
  describe.skipIf(skip !== null)(`Larq models under QEMU ${name}${skip ? ` (${skip})` : ''}`, () => {
    for (const { file, options } of FIXTURES) {
      it(`${file}: 300 images bit-exact, argmax equal to the Larq reference`, async () => {
        const model = loadModel(file, options);
        const report = await verifyOnHost(model, runPasses(model), { data: 'examples/mnist-mlp/data', limit: 300, target, noSanitize: true });
        expect(report.firstMismatch).toBeNull();
        expect(report.bitExact.qemu).toEqual({ equal: 300, total: 300 });
        expect(report.reference?.argmaxEqual).toBe(300);
        expect(report.ok).toBe(true);
      }, 300_000);
    }
  });
}
