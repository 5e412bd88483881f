/**
 * Every target with a QEMU machine: build the harness self-test, run it
 * under -icount and check output, exact instruction counts and exit status.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listTargets } from '../../src/targets/load.ts';
import { crossBuild } from '../../src/toolchain/cross.ts';
import { runQemu } from '../../src/toolchain/qemu.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'bnnc-qemu-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const expectedOutput = (name: string) =>
  [`hello from ${name}`, 'data=1234', 'bss=0', 'i32=-42 hex=0x0000beef', 'loop1000=4000', 'loop2000=8000', 'loop3000000=12000000', ''].join('\n');

for (const target of listTargets().filter((t) => t.qemu)) {
  const skip = toolchainSkipReason(target);
  describe.skipIf(skip !== null)(`${target.name} on ${target.qemu!.machine}${skip ? ` (${skip})` : ''}`, () => {
    it('prints, counts the 4-instruction loop exactly and exits with main()\'s 7', async () => {
      const build = await crossBuild(target, {
        sources: [join(FIXTURES, 'count_loop.c')],
        includeDirs: [],
        cflags: ['-Werror'],
        outDir: join(scratch, target.name),
      });
      expect(build.flashBytes).toBeGreaterThan(0);
      expect(build.ramBytes).toBeGreaterThan(0);
      expect(build.flashBytes).toBeLessThan(target.budget!.flashBytes);

      const run = await runQemu(target, build.elf, { mode: 'icount', timeoutMs: 20_000 });
      expect(run.stdout).toBe(expectedOutput(target.name));
      expect(run.exitCode).toBe(7);
    });
  });
}
