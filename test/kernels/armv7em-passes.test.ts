/**
 * The armv7em pass engine (bnn_m4_bits_rows in runtime/bnn_popcount_armv7em.h):
 * bnn_dense_b1 runs whole output words of rows in one assembly loop for rows
 * of 17 to 51 words, entered per call at one of several points (n % 4 single
 * words first, then 0-3 quarters of a first 16-word block or a whole one,
 * then one to three full blocks) and thresholding in the loop. Every row
 * length around those boundaries (16..53 words, so the C fallback on both
 * sides too), with partial last input words, n_out below, at and above
 * multiples of 32, thresholds at -1, 32 * n_words, pop, pop - 1 and
 * anywhere in int32, and rows whose popcounts reach 32 * n_words, bit-exact
 * against the emulator under QEMU (stm32f4 and an ARMv8-M Mainline core).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDenseCase, rng32, runDenseProgram, type DenseCase } from '../../src/bench/denseProgram.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bnnc-armv7em-passes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A generator for makeDenseCase whose input is all ones and whose weight rows
 * are, row by row, all zeros, sparse, uniform and dense: popcounts up to
 * 32 * n_words, so every carry of the adder tree and every byte of the final
 * count reach their largest values (uniform random rows leave the first
 * block's sixteens almost always 0). Then uniform again for the thresholds.
 */
function skewed(next: () => number, words: number, nOut: number): () => number {
  let k = 0;
  return () => {
    const i = k++;
    if (i < words) return 0xffffffff;
    const r = i - words;
    if (r >= words * nOut) return next();
    const row = Math.floor(r / words);
    if (row % 4 === 0) return 0;
    if (row % 4 === 1) return (next() & next() & next()) >>> 0;
    if (row % 4 === 2) return next();
    return (next() | next() | next()) >>> 0;
  };
}

function cases(): DenseCase[] {
  const next = rng32(7411);
  const outs = [1, 5, 31, 32, 33, 64, 70];
  const list: DenseCase[] = [];
  for (let words = 16; words <= 53; words++) {
    // a partial last word on odd lengths (tail bits 0), whole words on even ones
    const nIn = words % 2 ? 32 * words - 1 - (next() % 31) : 32 * words;
    list.push(makeDenseCase(next, nIn, outs[words % outs.length], 'sweep'));
    list.push(makeDenseCase(next, nIn, outs[(words + 3) % outs.length], 'any'));
    const nOut = outs[(words + 5) % outs.length];
    list.push(makeDenseCase(skewed(next, words, nOut), nIn, nOut, 'sweep'));
  }
  return list;
}
const CASES = cases();

// -O0 and -Os place functions at 2-byte boundaries: the engine's ADR offsets must hold there too.
const BUILDS: Array<[string, string[]]> = [['stm32f4', []], ['cortex-m33', []], ['stm32f4', ['-O0']], ['stm32f4', ['-Os']]];

for (const [name, flags] of BUILDS) {
  const target = loadTarget(name);
  const skip = toolchainSkipReason(target);
  describe.skipIf(skip !== null)(`armv7em passes on ${name} ${flags.join(' ')}${skip ? ` (${skip})` : ''}`, () => {
    it(`bnn_dense_b1 is bit-exact for rows of 16 to 53 words (${CASES.length} layers)`, async () => {
      const run = await runDenseProgram(target, 'armv7em', CASES, {
        dir: join(scratch, `${name}${flags.join('')}`), verbose: false, cflags: ['-Werror', ...flags],
      });
      const detail = `exit ${run.exitCode}, output:\n${run.stdout.slice(0, 2000)}`;
      expect(run.b1ExactCases, detail).toBe(CASES.length);
      expect(run.popExactCases, detail).toBe(CASES.length);
      expect(run.exact, detail).toBe(true);
    });
  });
}
