/**
 * Every path of bnn_conv2d_b1.c against the emulator, per kernel variant, on
 * the host and under QEMU: rows of a length listed in bnn_conv2d_b1_rows.h
 * (unrolled) and of other lengths (the loop over blocks of 8 words, and the
 * word-by-word tail), border positions with float-zero padding (masks) and
 * with +1/-1 padding (none), a single position per output pixel and pool
 * windows of up to 4 positions (one group) or more (several groups pooled
 * through the best[] array), max and sum pools, padded pools whose first or
 * last positions fall outside the convolution, strides, 1xK kernels, and
 * rows whose popcount reaches 256 and more (a byte sum by multiplication
 * would wrap there).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wordsFor } from '../../src/bitops.ts';
import { runConvProgram, type ConvCase } from '../../src/bench/conv.ts';
import { rng32 } from '../../src/bench/denseProgram.ts';
import type { Padding } from '../../src/ir/types.ts';
import { conv2dB1 } from '../../src/ops/conv2d_b1/emulate.ts';
import { conv2dB1Layer, conv2dB1ScratchWords } from '../../src/ops/conv2d_b1/index.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bnnc-conv-paths-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface PathShape {
  what: string;
  size: [number, number];
  inC: number;
  outC: number;
  kernel: [number, number];
  stride?: [number, number];
  pads: [number, number, number, number];
  padding: Padding;
  pool?: [number, number];
  poolStride?: [number, number];
  /** top, left, bottom, right pool padding (bottom and right: extra output rows/columns whose windows run past the end). */
  poolPads?: [number, number, number, number];
  poolMode?: 'max' | 'sum';
  /** 'random', or 'max': input all 0 and weights all 1, so every inside tap counts in_c (popcounts of 256 and more). */
  data?: 'random' | 'max';
  /** 'extreme': thresholds at the int32 limits and next to the reachable dots, in turn (saturated comparisons). */
  thresholds?: 'extreme';
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function randomWords(next: () => number, groups: number, bits: number, fill?: number): Uint32Array {
  const words = wordsFor(bits);
  const out = new Uint32Array(groups * words);
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < words; i++) out[g * words + i] = fill ?? next();
    if (bits % 32) out[g * words + words - 1] &= (2 ** (bits % 32) - 1) >>> 0;
  }
  return out;
}

function pathCase(next: () => number, s: PathShape): ConvCase {
  const [h, w] = s.size;
  const stride = s.stride ?? [1, 1];
  const pool = s.pool ?? [1, 1];
  const poolStride = s.poolStride ?? pool;
  const poolPads = s.poolPads ?? [0, 0, 0, 0];
  const convH = Math.floor((h + s.pads[0] + s.pads[2] - s.kernel[0]) / stride[0]) + 1;
  const convW = Math.floor((w + s.pads[1] + s.pads[3] - s.kernel[1]) / stride[1]) + 1;
  const outH = Math.floor((convH + poolPads[0] + poolPads[2] - pool[0]) / poolStride[0]) + 1;
  const outW = Math.floor((convW + poolPads[1] + poolPads[3] - pool[1]) / poolStride[1]) + 1;
  const max = s.data === 'max';
  const threshold = new Int32Array(s.outC);
  const flip = new Uint8Array(s.outC);
  const window = pool[0] * pool[1] * (s.poolMode === 'sum' ? 1 : 0) || 1;
  for (let o = 0; o < s.outC; o++) {
    // around the middle of the reachable range, so both bits occur (for 'max': between the exact dot and a wrapped one)
    const reach = s.inC * s.kernel[0] * s.kernel[1] * window;
    const extreme = [INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1, reach, reach + 1, -reach, -reach + 1, 0, 1];
    threshold[o] = s.thresholds === 'extreme' && o % 2 === 0 ? extreme[(o / 2) % extreme.length]
      : max ? -reach + 1 + (next() % 64) : ((next() % 33) - 16) * window;
    flip[o] = next() & 1;
  }
  const layer = conv2dB1Layer({
    name: 'paths', sources: [],
    inShape: [h, w, s.inC], convShape: [convH, convW, s.outC], outShape: [outH, outW, s.outC],
    kernel: s.kernel, stride, pads: s.pads, padding: s.padding,
    pool, poolStride, poolPads: [poolPads[0], poolPads[1]], poolMode: s.poolMode ?? 'max',
    weights: randomWords(next, s.outC * s.kernel[0] * s.kernel[1], s.inC, max ? 0xffffffff : undefined), threshold, flip,
  });
  const x = randomWords(next, h * w, s.inC, max ? 0 : undefined);
  return { layer, x, out: conv2dB1(layer, x), macs: 0 };
}

/** Row words: ceil(kh * kw * inC / 32); the unrolled lengths are 2 to 15. */
const SHAPES: PathShape[] = [
  { what: '9-word rows, zero padding, no pool (border masks)', size: [5, 6], inC: 32, outC: 35, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero' },
  { what: '5-word rows, zero padding, 2x2 max pool (groups mixing border and inside positions)', size: [6, 7], inC: 16, outC: 33, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero', pool: [2, 2] },
  { what: '5-word rows, zero padding, 2x2 sum pool', size: [6, 6], inC: 16, outC: 7, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero', pool: [2, 2], poolMode: 'sum' },
  { what: '3x3 max pool, stride 2, padded (several groups per window, positions outside skipped)', size: [7, 8], inC: 20, outC: 9, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero', pool: [3, 3], poolStride: [2, 2], poolPads: [1, 1, 1, 2] },
  { what: '3x2 sum pool (6 positions: two groups)', size: [7, 5], inC: 8, outC: 12, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero', pool: [3, 2], poolMode: 'sum' },
  { what: '2x2 max pool, padded at the end only (the last positions of a window outside)', size: [5, 5], inC: 32, outC: 4, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero', pool: [2, 2], poolPads: [0, 0, 1, 1] },
  { what: '18-word rows (blocks of 8 and a tail), zero padding, 2x2 max pool', size: [5, 5], inC: 64, outC: 6, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero', pool: [2, 2] },
  { what: '23-word rows, -1 padding, stride 2', size: [6, 6], inC: 80, outC: 5, kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1], padding: 'minus' },
  { what: '1-word rows (a 1x1 kernel, not unrolled)', size: [3, 4], inC: 30, outC: 40, kernel: [1, 1], pads: [0, 0, 0, 0], padding: 'zero' },
  { what: '1x5 kernel (Conv1d), 13 channels, +1 padding', size: [1, 9], inC: 13, outC: 10, kernel: [1, 5], pads: [0, 2, 0, 2], padding: 'plus' },
  { what: '5x5 kernel, 7 channels (6 words), zero padding 2, stride 2', size: [7, 6], inC: 7, outC: 3, kernel: [5, 5], stride: [2, 2], pads: [2, 2, 2, 2], padding: 'zero' },
  { what: '15-word rows, -1 padding, 2x2 max pool', size: [4, 4], inC: 53, outC: 8, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'minus', pool: [2, 2] },
  { what: 'popcounts >= 256 on 9-word rows (inside and border)', size: [4, 4], inC: 32, outC: 33, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero', data: 'max' },
  { what: 'popcounts >= 256 on 15-word rows, 2x2 sum pool', size: [4, 4], inC: 53, outC: 6, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'plus', pool: [2, 2], poolMode: 'sum', data: 'max' },
  // 9-word rows without a pool: the armv7em assembly channel loop (bnn_conv2d_b1_armv7em.h), with and without masks
  { what: '9-word rows, 31 channels (partial last word, odd inside bits), zero padding, 64 output channels', size: [5, 5], inC: 31, outC: 64, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero' },
  { what: '9-word rows, 30 channels, +1 padding (border positions without masks), stride 2', size: [7, 6], inC: 30, outC: 31, kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1], padding: 'plus' },
  { what: '9-word rows, thresholds at the int32 extremes and next to the dots (inside and border)', size: [4, 5], inC: 32, outC: 45, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero', thresholds: 'extreme' },
  { what: '9-word rows, one output channel, -1 padding', size: [3, 3], inC: 32, outC: 1, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'minus' },
  { what: 'popcounts >= 256 on 18-word rows', size: [3, 3], inC: 64, outC: 5, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero', data: 'max' },
  // 9-word rows without a pool: on rv32 bnn_conv2d_b1_layer9 and the assembly channel loop (patch in registers)
  { what: '9-word rows, 32 channels, 65 outputs (a 1-channel word), stride 2, zero padding', size: [7, 6], inC: 32, outC: 65, kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1], padding: 'zero' },
  { what: '9-word rows, 32 channels, -1 padding (border patches gathered, no mask)', size: [5, 5], inC: 32, outC: 31, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'minus' },
  { what: '9-word rows, 29 channels (patches gathered, tail bits), zero padding', size: [5, 6], inC: 29, outC: 40, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero' },
  { what: '9-word rows, 16 channels, 3x6 kernel, +1 padding', size: [5, 8], inC: 16, outC: 12, kernel: [3, 6], pads: [1, 2, 1, 3], padding: 'plus' },
  { what: '9-word rows, 96 channels, 1x3 kernel (3 words per tap), zero padding', size: [2, 5], inC: 96, outC: 9, kernel: [1, 3], pads: [0, 1, 0, 1], padding: 'zero' },
  { what: '9-word rows, thresholds at the int32 extremes and the edges of the dots', size: [4, 5], inC: 32, outC: 40, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero', thresholds: 'extreme' },
  { what: '9-word rows, 29 channels, extreme thresholds, popcounts at the maximum', size: [4, 4], inC: 29, outC: 35, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero', data: 'max', thresholds: 'extreme' },
  { what: '9-word rows, 1x1 pool of stride 2 (one position per window, not a whole-layer path)', size: [6, 6], inC: 32, outC: 33, kernel: [3, 3], pads: [1, 1, 1, 1], padding: 'zero', pool: [1, 1], poolStride: [2, 2] },
];

describe('bnn_conv2d_b1 paths against the emulator', () => {
  it('scratch: patches and masks of up to 4 window positions, two words per output channel', () => {
    const base = pathCase(rng32(1), SHAPES[0]).layer;
    expect(conv2dB1ScratchWords(base)).toBe(2 * 9 + 2 * 35);
    expect(conv2dB1ScratchWords({ ...base, pool: [2, 2] })).toBe(2 * 4 * 9 + 2 * 35);
    expect(conv2dB1ScratchWords({ ...base, pool: [3, 3], padding: 'minus' })).toBe(4 * 9 + 2 * 35);
  });

  for (const [name, variants] of [
    ['host', ['portable', 'builtin']],
    ['stm32f4', ['armv7em', 'portable']],
    ['esp32c3', ['rv32']],
    ['cortex-m0plus', ['armv6m']],
    ['rp2350-riscv', ['zbb']],
    ['cortex-m55', ['mve']],
    ['esp8266', ['portable']], // Xtensa LX106: no divide instruction, and no libgcc division in the harness
  ] as const) {
    for (const variant of variants) {
      const skip = toolchainSkipReason(loadTarget(name));
      it.skipIf(skip !== null)(`${name} ${variant}: every output word equals the emulator's${skip ? ` (${skip})` : ''}`, async () => {
        const next = rng32(7);
        for (const [i, shape] of SHAPES.entries()) {
          const c = pathCase(next, shape);
          const run = await runConvProgram(loadTarget(name), variant, c, join(scratch, `${name}-${variant}-${i}`));
          expect({ shape: shape.what, exact: run.exact }).toEqual({ shape: shape.what, exact: true });
        }
      }, 300_000);
    }
  }
});
