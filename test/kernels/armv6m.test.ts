/**
 * The armv6m row engine (runtime/bnn_popcount_armv6m.h) on every path it has,
 * under QEMU on cortex-m0plus, bit-exact against the emulator for
 * bnn_dense_b1 (thresholds compared in the assembly, bits shifted in by ADCS)
 * and bnn_dense_b1_pop (counts stored by the assembly):
 * - every row length 1..41 words: the short path (1-7 words: entries 23 and
 *   50-55), each of the 8 entries into the first 8-word block (n % 8 in 0..7
 *   past 8 words: labels 20-22, 24, 30-33) and 1 to 5 whole blocks, with and
 *   without partial last words;
 * - output counts that are not multiples of 32 (a partial output word: one
 *   call of n_out % 32 rows), whole output words, single rows;
 * - thresholds at the extremes: -1, 32 * n_words, just outside, INT32_MIN
 *   (T - pop overflows: label 70) and INT32_MAX.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDenseCase, rng32, runDenseProgram, type DenseCase } from '../../src/bench/denseProgram.ts';
import { denseB1 } from '../../src/ops/dense_b1/emulate.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bnnc-armv6m-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The case with its thresholds replaced by pick(o, pop, nWords), and the expected bits recomputed. */
function withThresholds(c: DenseCase, pick: (o: number, pop: number, nWords: number) => number): DenseCase {
  const nWords = Math.ceil(c.nIn / 32);
  const threshold = Int32Array.from(c.pop, (pop, o) => pick(o, pop, nWords));
  const layer = { ...c.layer, threshold };
  return { ...c, layer, out: denseB1(layer, c.x) };
}

const EXTREMES = [-(2 ** 31), -2, -1, 0, 2 ** 31 - 1];

function cases(): DenseCase[] {
  const next = rng32(60611);
  const outs = [1, 7, 9, 31, 33, 40, 8, 17, 32, 64];
  const list: DenseCase[] = [];
  for (let words = 1; words <= 41; words++) {
    // full words (thresholds at exactly 32 * n_words reachable) and rows whose last word is partial
    const nIn = words % 3 === 0 ? 32 * words : 32 * words - 1 - (next() % 31);
    const nOut = outs[words % outs.length];
    const mode = words % 2 === 0 ? 'sweep' : 'any';
    list.push(makeDenseCase(next, nIn, nOut, mode));
  }
  // every threshold extreme against every row length class: short, each first-block entry, several blocks
  for (const words of [1, 2, 5, 7, 8, 11, 12, 15, 16, 17, 25, 32]) {
    const c = makeDenseCase(next, 32 * words, 40, 'near');
    list.push(withThresholds(c, (o, pop, n) => {
      const k = o % 10;
      if (k < EXTREMES.length) return EXTREMES[k];
      if (k === 5) return 32 * n;         // never exceeded
      if (k === 6) return 32 * n - 1;     // exceeded only by an all-ones row
      if (k === 7) return 32 * n + 1;
      return k === 8 ? pop : pop - 1;     // the boundary itself
    }));
  }
  // all-ones rows (popcount 32 * n_words: every count field at its maximum) against the same thresholds
  for (const words of [3, 8, 24, 40]) {
    const c = makeDenseCase(next, 32 * words, 12, 'near');
    const layer = { ...c.layer, weights: c.layer.weights.map((_, i) => ~c.x[i % words] >>> 0) };
    const pop = new Int32Array(c.nOut).fill(32 * words);
    list.push(withThresholds({ ...c, layer, pop }, (o, _pop, n) => [32 * n - 1, 32 * n, -1, -(2 ** 31)][o % 4]));
  }
  return list;
}

describe('armv6m engine paths', () => {
  const target = loadTarget('cortex-m0plus');
  const skip = toolchainSkipReason(target);
  const list = cases();
  // -O0: r7 is the frame pointer (the assembly saves it itself); -Os: another register allocation around the calls
  for (const opt of ['-O2', '-O0', '-Os']) {
    it.skipIf(skip !== null)(`row lengths 1..41, partial passes, threshold extremes: bit-exact under QEMU at ${opt}${skip ? ` (${skip})` : ''}`, async () => {
      const run = await runDenseProgram(target, 'armv6m', list, { dir: join(scratch, opt), verbose: false, cflags: ['-Werror', opt] });
      const detail = `exit ${run.exitCode}, output:\n${run.stdout.slice(0, 2000)}`;
      expect(run.b1ExactCases, detail).toBe(list.length);
      expect(run.popExactCases, detail).toBe(list.length);
      expect(run.exact, detail).toBe(true);
    }, 120_000);
  }
});
