/**
 * The conv3x3 benchmark (src/bench/conv.ts): bnn_conv2d_b1 on 16x16x32 -> 32,
 * kernel 3x3, float-zero padding 1, against the emulator under QEMU, with
 * each target's preferred variant pinned as a regression bound in
 * instructions per binary MAC (the measured values: bench/results/bench.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchConv, formatConvMarkdown, makeConvCase, parseConvOutput, runConvProgram, type ConvShape } from '../../src/bench/conv.ts';
import { rng32 } from '../../src/bench/denseProgram.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bnnc-conv-bench-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Upper bounds per (target, variant) in instructions per binary MAC. */
const BOUNDS: Array<[string, string, number]> = [
  ['stm32f4', 'armv7em', 0.317],
  ['esp32c3', 'rv32', 0.38],
];

describe('benchConv', () => {
  for (const [name, variant, bound] of BOUNDS) {
    const skip = toolchainSkipReason(loadTarget(name));
    it.skipIf(skip !== null)(`${name} ${variant} conv3x3 is bit-exact at or below ${bound} instructions per MAC${skip ? ` (${skip})` : ''}`, async () => {
      const results = await benchConv({ targets: [name], variants: [variant, 'portable'], workDir: join(scratch, name) });
      const best = results.find((r) => r.kernel === variant)!;
      const portable = results.find((r) => r.kernel === 'portable')!;
      expect(best.bitExact && portable.bitExact).toBe(true);
      expect(best.perMac).toBeLessThanOrEqual(bound);
      expect(best.perMac).toBeLessThan(portable.perMac);
    });
  }

  it('reports a wrong expected output as not bit-exact', async () => {
    const host = loadTarget('host');
    const c = makeConvCase(rng32(3), { size: 5, inC: 16, outC: 7, kernel: 3, pad: 1 });
    const right = await runConvProgram(host, 'portable', c, join(scratch, 'right'));
    expect(right.exact).toBe(true);
    const out = c.out.slice();
    out[out.length - 1] ^= 1;
    const wrong = await runConvProgram(host, 'portable', { ...c, out }, join(scratch, 'wrong'));
    expect(wrong.exact).toBe(false);
    expect(wrong.stdout).toContain('mismatch word');
  });

  it('parses the program line and needs exit status 0', () => {
    expect(parseConvOutput('conv 1234 1\n', 0)).toEqual({ instructions: 1234, exact: true });
    expect(parseConvOutput('conv 1234 1\n', 1).exact).toBe(false);
    expect(parseConvOutput('conv 1234 0\n', 0).exact).toBe(false);
    expect(parseConvOutput('', 0).exact).toBe(false);
  });
});

describe('formatConvMarkdown', () => {
  it('gives one row per target and marks a result that is not bit-exact', () => {
    const row = (target: string, kernel: string, perMac: number, bitExact = true) => ({ target, machine: 'm', kernel, instructions: 1, perMac, bitExact });
    expect(formatConvMarkdown([row('a', 'portable', 0.75), row('a', 'fast', 0.5), row('b', 'portable', 1, false)])).toBe([
      '| target (QEMU machine) | portable | fast |',
      '|---|---:|---:|',
      '| a (m) | 0.750 | 0.500 |',
      '| b (m) | 1.000 (NOT EXACT) | - |',
      '',
    ].join('\n'));
  });
});

/*
 * Channel counts whose 3x3 rows take 1 to 10 words (each program lists its
 * one row length in bnn_conv2d_b1_rows.h, so bnn_conv2d_b1 unrolls it),
 * kernels 1 to 5, every padding mode: each variant against the emulator.
 * test/kernels/conv-b1-paths.test.ts reaches the other paths.
 */
const SHAPES: ConvShape[] = [
  { size: 4, inC: 1, outC: 5, kernel: 3, pad: 1 },
  { size: 5, inC: 5, outC: 33, kernel: 3, pad: 1, padding: 'minus' },
  { size: 4, inC: 10, outC: 3, kernel: 3, pad: 2 },
  { size: 6, inC: 13, outC: 9, kernel: 3, pad: 1, padding: 'plus' },
  { size: 5, inC: 20, outC: 8, kernel: 3, pad: 1 },
  { size: 3, inC: 24, outC: 4, kernel: 3, pad: 1, padding: 'minus' },
  { size: 4, inC: 33, outC: 6, kernel: 3, pad: 1 },
  { size: 6, inC: 7, outC: 11, kernel: 5, pad: 2 },
  { size: 3, inC: 70, outC: 2, kernel: 1, pad: 0 },
  { size: 4, inC: 9, outC: 12, kernel: 2, pad: 1 },
];

describe('bnn_conv2d_b1 per variant over channel counts and paddings', () => {
  for (const [name, variant] of [['stm32f4', 'armv7em'], ['esp32c3', 'rv32'], ['host', 'portable']] as const) {
    const skip = toolchainSkipReason(loadTarget(name));
    it.skipIf(skip !== null)(`${name} ${variant}: every output word equals the emulator's${skip ? ` (${skip})` : ''}`, async () => {
      const next = rng32(11);
      for (const [i, shape] of SHAPES.entries()) {
        const run = await runConvProgram(loadTarget(name), variant, makeConvCase(next, shape), join(scratch, `${name}-${i}`));
        expect({ shape, exact: run.exact }).toEqual({ shape, exact: true });
      }
    }, 120_000);
  }
});
