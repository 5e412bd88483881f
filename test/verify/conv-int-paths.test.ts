/**
 * Every path of the integer first convolution (runtime/bnn_conv2d_int.h), uint8 and int8 input:
 * 3x3 on one channel moved by 1 row without a pool, column by column, two rows at a time (odd and even output
 * heights, unpadded, padded, padded beyond the kernel, 1 or 2 output words of odd and even channel counts); groups of 4 values without a pool:
 * 1 group (1x1 RGB), 3 groups (3x3 moved by 2 or 3 rows), tail only (7 groups), a full weight word (8 groups, the wearable-motion shape), a word and a tail (9 groups); with a
 * pool (max with padding, average), 3x3 on one channel included. Emulator = host C (and ASan on some) on 40 random
 * samples, = QEMU stm32f4 and esp32c3.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, type LoadModelOptions } from '../../src/importers/index.ts';
import type { Conv2dIntB1Layer } from '../../src/ops/conv2d_int_b1/index.ts';
import { runPasses } from '../../src/passes/index.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';
import { binaryCnn, rng, type CnnSpec, type ConvSpec } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-conv-int-'));

interface Case {
  name: string;
  /** C, H, W of the input (H = 1 with oneD). */
  input: [number, number, number];
  oneD?: boolean;
  first: ConvSpec;
  int8: boolean;
  /** What selects the path: 3 kernel rows of 3 values without a pool (columns), a pool, the groups of 4 values. */
  path: { columns: boolean; pooled: boolean; groups?: number };
}

const avg = (kernel: number, stride: number) => ({ op: 'AveragePool' as const, kernel, stride, pads: 0 });
const max = (kernel: number, stride: number, pads: number) => ({ op: 'MaxPool' as const, kernel, stride, pads });

const CASES: Case[] = [
  { name: '3x3 on 1 channel, pad 1, 37 channels (2 words, odd), 9 rows (odd: the last pair stores one)', input: [1, 9, 7], first: { out: 37, kernel: 3, pads: 1 }, int8: false, path: { columns: true, pooled: false } },
  { name: '3x3 on 1 channel, pad 1, 16 channels, 10 rows (even)', input: [1, 10, 8], first: { out: 16, kernel: 3, pads: 1 }, int8: true, path: { columns: true, pooled: false } },
  { name: '3x3 on 1 channel, no pad, 5 channels, 7 rows (the unstored position reads below the input)', input: [1, 9, 6], first: { out: 5, kernel: 3 }, int8: false, path: { columns: true, pooled: false } },
  { name: '3x3 on 1 channel, pad 3 (positions wholly outside the input), 7 channels', input: [1, 6, 5], first: { out: 7, kernel: 3, pads: 3 }, int8: true, path: { columns: true, pooled: false } },
  { name: '3x3 on 1 channel, pad 1, stride 2 (3 groups of 4), 16 channels', input: [1, 11, 10], first: { out: 16, kernel: 3, pads: 1, stride: 2 }, int8: true, path: { columns: false, pooled: false, groups: 3 } },
  { name: '3x3 on 1 channel, pad 2, stride 3, 6 channels', input: [1, 14, 14], first: { out: 6, kernel: 3, pads: 2, stride: 3 }, int8: false, path: { columns: false, pooled: false, groups: 3 } },
  { name: '1x1 on RGB (1 group), 9 channels', input: [3, 6, 5], first: { out: 9, kernel: 1 }, int8: false, path: { columns: false, pooled: false, groups: 1 } },
  { name: '3x3 on 1 channel (3 groups), padded max-pool 3/2 pad 1, 11 channels', input: [1, 10, 9], first: { out: 11, kernel: 3, pads: 1, poolBefore: max(3, 2, 1) }, int8: true, path: { columns: false, pooled: true, groups: 3 } },
  { name: '5x5 on 1 channel (7 groups, tail only), pad 2, 33 channels', input: [1, 8, 9], first: { out: 33, kernel: 5, pads: 2 }, int8: false, path: { columns: false, pooled: false, groups: 7 } },
  { name: '3x3 on RGB (7 groups), average pool 2/2, 12 channels', input: [3, 8, 8], first: { out: 12, kernel: 3, pads: 1, poolBefore: avg(2, 2) }, int8: false, path: { columns: false, pooled: true, groups: 7 } },
  { name: '1-D kernel 5 on 6 channels (8 groups, one weight word), 32 channels', input: [6, 1, 40], oneD: true, first: { out: 32, kernel: 5 }, int8: true, path: { columns: false, pooled: false, groups: 8 } },
  { name: '6x6 on 1 channel (9 groups: a word and a tail), stride 2, pad 1, 7 channels', input: [1, 12, 11], first: { out: 7, kernel: 6, pads: 1, stride: 2 }, int8: true, path: { columns: false, pooled: false, groups: 9 } },
  { name: '2x2 on 1 channel (1 group), padded max-pool 2/1 pad 1, 20 channels', input: [1, 7, 7], first: { out: 20, kernel: 2, poolBefore: max(2, 1, 1) }, int8: false, path: { columns: false, pooled: true, groups: 1 } },
];

function prepare(c: Case, index: number) {
  const spec: CnnSpec = {
    input: c.input, oneD: c.oneD, convs: [c.first, { out: 8, kernel: 1 }], dense: [5], seed: 1500 + index,
    inputType: c.int8 ? 'float' : 'uint8',
  };
  const path = join(dir, `case${index}.onnx`);
  writeFileSync(path, binaryCnn(spec));
  const options: LoadModelOptions = c.int8 ? { inputType: 'int8', inputScale: 0.05 } : {};
  const next = rng(index + 1600);
  const n = c.input[0] * c.input[1] * c.input[2];
  const lo = c.int8 ? -128 : 0;
  const rows = Array.from({ length: 40 }, () => Array.from({ length: n }, () => lo + Math.floor(next() * 256)));
  const data = join(dir, `case${index}.csv`);
  writeFileSync(data, rows.map((r) => r.join(',')).join('\n'));
  const model = loadModel(path, options);
  return { model, lowered: runPasses(model), data };
}

describe('integer first convolution, every kernel path: emulator = host C', () => {
  CASES.forEach((c, index) => {
    it(`${c.int8 ? 'int8' : 'uint8'} ${c.name}`, async () => {
      const { model, lowered, data } = prepare(c, index);
      const layer = lowered.layers[0] as Conv2dIntB1Layer;
      expect(layer.kind).toBe('conv2d_int_b1');
      expect(layer.inputDType).toBe(c.int8 ? 'int8' : 'uint8');
      // The geometry reaches the path the case names.
      const [kh, kw] = layer.kernel;
      const inC = layer.inShape[2];
      const pooled = layer.pool[0] * layer.pool[1] > 1;
      expect(pooled).toBe(c.path.pooled);
      expect(kh === 3 && kw * inC === 3 && layer.stride[0] === 1 && !pooled).toBe(c.path.columns);
      if (c.path.groups !== undefined) expect(Math.ceil((kh * kw * inC) / 4)).toBe(c.path.groups);
      const report = await verifyOnHost(model, lowered, { data, noSanitize: index % 3 !== 0, noReference: true });
      expect(report.firstMismatch).toBeNull();
      expect(report.bitExact.host).toEqual({ equal: 40, total: 40 });
      if (index % 3 === 0) expect(report.bitExact.hostSanitized).toEqual({ equal: 40, total: 40 });
      expect(report.ok).toBe(true);
    });
  });

  for (const targetName of ['stm32f4', 'esp32c3']) {
    const target = loadTarget(targetName);
    const skip = toolchainSkipReason(target);
    it.skipIf(skip !== null)(`QEMU ${targetName}: every case bit-exact with the emulator${skip ? ` (${skip})` : ''}`, async () => {
      for (const [index, c] of CASES.entries()) {
        const { model, lowered, data } = prepare(c, index);
        const report = await verifyOnHost(model, lowered, { data, limit: 8, target, noSanitize: true, noReference: true });
        expect(report.firstMismatch, c.name).toBeNull();
        expect(report.bitExact.qemu, c.name).toEqual({ equal: 8, total: 8 });
        expect(report.ok).toBe(true);
      }
    }, 300_000);
  }
});
