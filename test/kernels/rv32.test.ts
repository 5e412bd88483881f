/**
 * The rv32 engine (runtime/bnn_popcount_rv32.h) under QEMU esp32c3, bit-exact
 * against the emulator on every path of its assembly: rows of 1..50 words
 * (built as shipped, rows below BNN_MIN_WORDS one by one, and with every row
 * through the engine: n < 16 enters the first block at each of its 7 pairs
 * or, n = 1, at its end; n >= 16 runs the first block with half adders (even
 * n) or after the odd word (odd n), then enters the general block at each of
 * its 7 pairs for the n & 14 words (or not), then 0, 1 or more whole blocks), n_out around the 2 rows of a pass
 * and the 32 of an output word, thresholds anywhere in int32 (the extremes,
 * -1, 32 n and just outside), and rows whose words are all ones (every adder
 * word all ones: pop = 32 n, the largest counts the finish adds) or all zeros,
 * up to 20000 words.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDenseCase, rng32, runDenseProgram, type DenseCase } from '../../src/bench/denseProgram.ts';
import { denseB1, popcounts } from '../../src/ops/dense_b1/emulate.ts';
import { denseB1Layer } from '../../src/ops/dense_b1/index.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bnnc-rv32-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A layer of nOut rows: x all ones; row o all zeros (pop 32 n) or, every third row, equal to x (pop 0). */
function saturated(nWords: number, nOut: number, threshold: (o: number, pop: number) => number): DenseCase {
  const nIn = 32 * nWords;
  const x = new Uint32Array(nWords).fill(0xffffffff);
  const weights = new Uint32Array(nOut * nWords);
  for (let o = 0; o < nOut; o += 3) weights.fill(0xffffffff, o * nWords, (o + 1) * nWords);
  const pop = popcounts(x, weights, nIn, nOut);
  const thresh = Int32Array.from(pop, (p, o) => threshold(o, p));
  const flip = Uint8Array.from({ length: nOut }, (_, o) => (o % 5 === 1 ? 1 : 0));
  const layer = denseB1Layer({ inGroup: nIn, name: `sat_${nIn}x${nOut}`, sources: [], inFeatures: nIn, outFeatures: nOut, weights, threshold: thresh, flip });
  return { nIn, nOut, x, layer, out: denseB1(layer, x), pop };
}

function cases(): DenseCase[] {
  const next = rng32(1511);
  const outs = [1, 2, 3, 5, 34, 35, 7, 33, 4, 67];
  const list: DenseCase[] = [];
  for (let n = 1; n <= 50; n++) {
    // whole words, and a tail of 5 bits cleared (the last word partly empty)
    list.push(makeDenseCase(next, 32 * n, outs[n % outs.length], n % 2 ? 'any' : 'sweep'));
    list.push(makeDenseCase(next, 32 * n - 5, outs[(n + 3) % outs.length], n % 2 ? 'sweep' : 'any'));
  }
  // pop = 32 n exactly at the thresholds 32 n - 1 and 32 n (and -1 for pop 0), n_out not a multiple of 2 or 32
  for (const n of [8, 15, 16, 17, 31, 32, 33, 47, 48, 49]) {
    list.push(saturated(n, 35, (o, p) => (o % 2 ? p - 1 : p)));
    list.push(saturated(n, 3, (o, p) => (p === 0 ? -1 : 32 * n)));
  }
  list.push(saturated(20000, 2, (o, p) => p - o)); // sixteens sums past 16 bits
  list.push(makeDenseCase(next, 32 * 4099 - 1, 3, 'any'));
  return list;
}
const CASES = cases();

describe('rv32 engine paths on esp32c3', () => {
  const target = loadTarget('esp32c3');
  const skip = toolchainSkipReason(target);
  // as built, and with every row through the engine (BNN_RV_MIN_WORDS 1: its paths for 1..4 words too)
  for (const [name, cflags] of [['as built', []], ['every row through the engine', ['-DBNN_RV_MIN_WORDS=1']]] as const) {
    it.skipIf(skip !== null)(`${name}: bnn_dense_b1 and bnn_dense_b1_pop are bit-exact on rows of 1..50 words and saturated rows${skip ? ` (${skip})` : ''}`, async () => {
      const run = await runDenseProgram(target, 'rv32', CASES, {
        dir: join(scratch, `esp32c3-${cflags.length}`), verbose: false, cflags: ['-Werror', ...cflags], timeoutMs: 120_000,
      });
      const detail = `exit ${run.exitCode}, output:\n${run.stdout.slice(0, 2000)}`;
      expect(run.b1ExactCases, detail).toBe(CASES.length);
      expect(run.popExactCases, detail).toBe(CASES.length);
      expect(run.exact, detail).toBe(true);
    }, 180_000);
  }
});
