/**
 * The dense kernel benchmark (src/bench/dense.ts): its figures are exact
 * instruction counts, so the speed of each target's preferred variant is
 * pinned here as a regression bound (instructions per weight word, 1024 -> 256
 * bnn_dense_b1), next to the portable and builtin baselines.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchDense, formatDenseMarkdown, writeDenseResults, type DenseBenchResult } from '../../src/bench/dense.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bnnc-bench-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Upper bounds per (target, variant); measured values are in bench/results/dense.md. */
const BOUNDS: Array<[string, string, number]> = [
  ['stm32f4', 'armv7em', 8],
  ['cortex-m0plus', 'armv6m', 12.5],
  ['cortex-m55', 'mve', 2.5],
  ['esp32c3', 'rv32', 10],
  ['rp2350-riscv', 'zbb', 4.5],
];

describe('benchDense', () => {
  for (const [name, variant, bound] of BOUNDS) {
    const skip = toolchainSkipReason(loadTarget(name));
    it.skipIf(skip !== null)(`${name} ${variant} stays at or below ${bound} instructions per word, bit-exact${skip ? ` (${skip})` : ''}`, async () => {
      const results = await benchDense({ targets: [name], variants: [variant, 'portable'], workDir: join(scratch, name) });
      const best = results.find((r) => r.kernel === variant)!;
      const portable = results.find((r) => r.kernel === 'portable')!;
      expect(best.bitExact && best.popBitExact && portable.bitExact).toBe(true);
      expect(best.perWord).toBeLessThanOrEqual(bound);
      expect(best.perWord).toBeLessThan(portable.perWord);
      expect(best.perWord).toBeCloseTo(best.instructions / 8192, 2);
      // Cortex-M cores with a timing model get cycles: at least one per instruction, priced from the same calls.
      if (name === 'stm32f4' || name === 'cortex-m0plus') {
        expect(best.cycles).toBeGreaterThan(best.instructions);
        expect(best.cycles! / best.instructions).toBeLessThan(2);
        expect(best.ms).toBe(Number(((best.cycles! / loadTarget(name).clockHz!) * 1000).toPrecision(3)));
      } else {
        expect(best.cycles).toBeNull();
      }
    });
  }

  it('formats a markdown table per target and writes JSON + markdown', () => {
    const row = (target: string, kernel: string, perWord: number, bitExact = true): DenseBenchResult => ({
      target, machine: 'm', kernel, instructions: perWord * 8192, perWord, bitExact,
      popInstructions: 0, popPerWord: 0, popBitExact: true, codeBytes: 100,
      cycles: null, popCycles: null, cyclesPerWord: null, ms: null,
    });
    const results = [row('a', 'portable', 17.5), row('a', 'fast', 8.25), row('b', 'portable', 20, false)];
    expect(formatDenseMarkdown(results)).toBe([
      '| target (QEMU machine) | portable | fast |',
      '|---|---:|---:|',
      '| a (m) | 17.50 | 8.25 |',
      '| b (m) | 20.00 (NOT EXACT) | - |',
      '',
    ].join('\n'));
    const out = writeDenseResults(results, join(scratch, 'results'));
    expect(JSON.parse(readFileSync(out.json, 'utf8')).results).toEqual(results);
    expect(readFileSync(out.markdown, 'utf8')).toContain('| a (m) | 17.50 | 8.25 |');
  });
});
