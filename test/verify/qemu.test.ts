/**
 * L3: the bundled example, cross-compiled with each target's kernel variant and
 * run under QEMU, bit-exact with the emulator on every activation, score and
 * class; instruction counts are reported. Skips loudly without toolchains
 * unless BNNC_REQUIRE_TOOLCHAINS=1.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_DATA, DEMO_MODEL } from '../../src/cli/commands/demo.ts';
import { loadModel } from '../../src/importers/index.ts';
import { runPasses } from '../../src/passes/index.ts';
import { listTargets } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';
import { millis } from '../../src/toolchain/cycles.ts';

const model = loadModel(DEMO_MODEL);
const lowered = runPasses(model);

for (const target of listTargets().filter((t) => t.qemu)) {
  const skip = toolchainSkipReason(target);
  describe.skipIf(skip !== null)(`QEMU ${target.name}${skip ? ` (${skip})` : ''}`, () => {
    // the cores with a timing model also price one inference in cycles (verify --cycles)
    const cycles = target.name === 'stm32f4' || target.name === 'cortex-m0plus';
    it('the example is bit-exact with the emulator and reports instructions per inference', async () => {
      const report = await verifyOnHost(model, lowered, { data: DEMO_DATA, limit: 12, target, noSanitize: true, noReference: true, cycles });
      expect(report.firstMismatch).toBeNull();
      expect(report.bitExact.qemu).toEqual({ equal: 12, total: 12 });
      expect(report.instructionsPerInference).toBeGreaterThan(1000);
      expect(report.instructionsPerLayer).toHaveLength(lowered.layers.length + 1);
      expect(report.selftest.digest).toMatch(/^[0-9a-f]{8}$/);
      expect(report.ok).toBe(true);
      if (cycles) {
        const c = report.cycles!;
        // the traced call of sample 0 against the -icount mean over 12 samples (the kernels' paths hardly depend on the data)
        expect(Math.abs(c.instructions - report.instructionsPerInference!) / c.instructions).toBeLessThan(0.01);
        expect(c.perInference).toBeGreaterThan(c.instructions);
        expect(c.ms).toBe(millis(c.perInference, target.clockHz!));
      } else {
        expect(report.cycles).toBeNull();
      }
    });
  });
}

describe('targets without QEMU', () => {
  const target = listTargets().find((t) => t.name === 'esp32')!;
  const skip = toolchainSkipReason(target);
  it.skipIf(skip !== null)(`esp32 compiles the example (sizes from its objects)${skip ? ` (${skip})` : ''}`, async () => {
    const report = await verifyOnHost(model, lowered, { data: DEMO_DATA, limit: 4, target, noSanitize: true, noReference: true });
    expect(report.bitExact.qemu).toBeNull();
    expect(report.flashBytes).toBeGreaterThan(66_000);
  });
});
