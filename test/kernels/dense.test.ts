/**
 * Every dense binary kernel variant, bit-exact against the emulator, on every
 * QEMU target that can run it and on the host: one program per (target,
 * variant) runs bnn_dense_b1 and bnn_dense_b1_pop over a sweep of random
 * layers (n_in 1..200 bits, n_out 1..70, thresholds at -1, n, pop and pop - 1,
 * random flips) plus longer rows that reach every unrolled block of the
 * optimised variants (8/16-word blocks, 248-word chunks, 1-3 word tails).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchVariants } from '../../src/bench/dense.ts';
import { makeDenseCase, rng32, runDenseProgram, sweepCases, type DenseCase } from '../../src/bench/denseProgram.ts';
import { listTargets, loadTarget } from '../../src/targets/load.ts';
import { SANITIZER_FLAGS } from '../../src/toolchain/host.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bnnc-kernels-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * The sweep plus long rows: n_words 8..35 around the block sizes, 250 words (past 248), 1-3 word tails;
 * then thresholds anywhere in int32 (every variant must accept any threshold, bnn_kernels.h).
 */
function cases(): DenseCase[] {
  const next = rng32(20240611);
  const long: Array<[number, number]> = [
    [256, 9], [512, 8], [544, 5], [800, 17], [1024, 8], [1056, 3], [1120, 2], [993, 11], [8000, 3], [4064, 2],
  ];
  const anyInt32: Array<[number, number]> = [[64, 40], [1024, 64], [33, 17], [800, 24], [8000, 8]];
  return [...sweepCases(7, 48), ...long.map(([nIn, nOut]) => makeDenseCase(next, nIn, nOut, 'sweep')),
    ...anyInt32.map(([nIn, nOut]) => makeDenseCase(next, nIn, nOut, 'any'))];
}
const CASES = cases();

function expectExact(run: Awaited<ReturnType<typeof runDenseProgram>>) {
  const detail = `exit ${run.exitCode}, output:\n${run.stdout.slice(0, 2000)}`;
  expect(run.b1ExactCases, detail).toBe(CASES.length);
  expect(run.popExactCases, detail).toBe(CASES.length);
  expect(run.exact, detail).toBe(true);
}

describe('host', () => {
  const host = loadTarget('host');
  const skip = toolchainSkipReason(host);
  describe.skipIf(skip !== null).concurrent(`host C99 build${skip ? ` (${skip})` : ''}`, () => {
    for (const variant of ['portable', 'builtin']) {
      it(`${variant}: strict -std=c99 -Werror build is bit-exact`, async () => {
        expectExact(await runDenseProgram(host, variant, CASES, {
          dir: join(scratch, 'host', variant), verbose: false, cflags: ['-std=c99', '-pedantic', '-Werror'],
        }));
      });
    }
    it('portable: ASan/UBSan build is bit-exact', async () => {
      expectExact(await runDenseProgram(host, 'portable', CASES, {
        dir: join(scratch, 'host', 'sanitized'), verbose: false, cflags: ['-Werror', ...SANITIZER_FLAGS], ldflags: SANITIZER_FLAGS,
      }));
    });
  });
});

for (const target of listTargets().filter((t) => t.qemu)) {
  const skip = toolchainSkipReason(target);
  describe.skipIf(skip !== null).concurrent(`${target.name} on ${target.qemu!.machine}${skip ? ` (${skip})` : ''}`, () => {
    for (const variant of benchVariants(target)) {
      it(`${variant} is bit-exact on the sweep`, async () => {
        expectExact(await runDenseProgram(target, variant, CASES, {
          dir: join(scratch, target.name, variant), verbose: false, cflags: ['-Werror'],
        }));
      });
    }
  });
}
