/**
 * Issue 13 (inputs): the models users bring, verified end to end.
 * - an RGB uint8 CNN: the ONNX graph is NCHW, the device reads HWC (a camera
 *   frame's interleaved pixels); data files hold NCHW and verify reorders them;
 * - a float-input CNN and MLP (no scaling node) with a declared uint8/int8
 *   quantization (--input-scale / --input-zero-point);
 * - a float-input CNN and MLP run on float32 device input (conv2d_f32_b1,
 *   dense_f32_b1: float32 sums in a fixed order, thresholds exact over every
 *   float32 sum);
 * - a multi-channel Conv1d (read step-major) and a float32 CNN, each with a
 *   padded overlapping max-pool before the threshold and a grouped second conv.
 * Each: emulator = host C (strict and under ASan/UBSan) = QEMU (stm32f4,
 * esp32c3; the float32 cases also on cortex-m55's FPU) bit for bit, 0 unexplained differences and >= 99 % argmax
 * agreement with onnxruntime.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateC } from '../../src/codegen/generate.ts';
import { loadModel, type LoadModelOptions } from '../../src/importers/index.ts';
import { deviceInputOrder } from '../../src/ops/registry.ts';
import { runPasses } from '../../src/passes/index.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';
import { deviceInputs } from '../../src/verify/inputs.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';
import { binaryCnn, binaryMlp, rng } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-image-inputs-'));

function write(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Random device values in [lo, lo + 255], one CSV row per sample, in the model's (NCHW) order. */
function data(name: string, features: number, seed: number, lo = 0, samples = 200): string {
  const next = rng(seed);
  const rows = Array.from({ length: samples }, () => Array.from({ length: features }, () => lo + Math.floor(next() * 256)));
  return write(name, rows.map((r) => r.join(',')).join('\n'));
}

/** Random float32 inputs in [-3, 3] with 7 significant digits. */
function floatData(name: string, features: number, seed: number, samples = 200): string {
  const next = rng(seed);
  const rows = Array.from({ length: samples }, () => Array.from({ length: features }, () => ((next() * 2 - 1) * 3).toPrecision(7)));
  return write(name, rows.map((r) => r.join(',')).join('\n'));
}

interface Case { name: string; model: string; options: LoadModelOptions; data: string; first: string }

const CASES: Case[] = [
  {
    name: 'RGB uint8 CNN (3 x 16 x 16, padded first convolution, pools before and after the threshold)',
    model: write('rgb.onnx', binaryCnn({
      input: [3, 16, 16], convs: [{ out: 16, kernel: 3, pads: 1, poolBefore: true }, { out: 24, kernel: 3, pads: 1, poolAfter: true }],
      dense: [32, 10], seed: 31, inputType: 'uint8',
    })),
    options: {}, data: data('rgb.csv', 3 * 16 * 16, 1), first: 'conv2d_int_b1',
  },
  {
    name: 'float-input RGB CNN with --input-type uint8 --input-scale 1/64 --input-zero-point 128 (unpadded)',
    model: write('float-rgb.onnx', binaryCnn({
      input: [3, 12, 12], convs: [{ out: 16, kernel: 3, poolBefore: true }, { out: 16, kernel: 3 }], dense: [10], seed: 32, inputType: 'float',
    })),
    options: { inputType: 'uint8', inputScale: 1 / 64, inputZeroPoint: 128 }, data: data('float-rgb.csv', 3 * 12 * 12, 2), first: 'conv2d_int_b1',
  },
  {
    name: 'float-input MLP with --input-type int8 --input-scale 0.05',
    model: write('float-mlp.onnx', binaryMlp({ widths: [96, 64, 32, 8], seed: 33, input: 'float' })),
    options: { inputType: 'int8', inputScale: 0.05 }, data: data('float-mlp.csv', 96, 3, -128), first: 'dense_int_b1',
  },
  {
    name: 'float-input RGB CNN with --input-type float32 (the same model as above)',
    model: join(dir, 'float-rgb.onnx'),
    options: { inputType: 'float32' }, data: floatData('float32-rgb.csv', 3 * 12 * 12, 5), first: 'conv2d_f32_b1',
  },
  {
    name: 'float-input CNN with --input-type float32 (padded first convolution, pools before and after the threshold)',
    model: write('float32-cnn.onnx', binaryCnn({
      input: [1, 14, 14], convs: [{ out: 20, kernel: 3, pads: 1, poolBefore: true }, { out: 16, kernel: 3, pads: 1, poolAfter: true }],
      dense: [24, 10], seed: 35, inputType: 'float',
    })),
    options: { inputType: 'float32' }, data: floatData('float32-cnn.csv', 14 * 14, 6), first: 'conv2d_f32_b1',
  },
  {
    name: 'binarized RGB input (a sign of x - 0.5 per value, read HWC on the device)',
    model: write('binarized-rgb.onnx', binaryCnn({
      input: [3, 10, 10], convs: [{ out: 16, kernel: 3, pads: 1 }, { out: 12, kernel: 3, poolAfter: true }], dense: [10], seed: 36, inputType: 'binarized',
    })),
    options: {}, data: floatData('binarized-rgb.csv', 3 * 10 * 10, 7), first: 'binarize_input',
  },
  {
    name: 'multi-channel uint8 Conv1d (6 channels x 50 steps, read step-major; padded overlapping max-pool before the threshold, grouped second conv)',
    model: write('seq.onnx', binaryCnn({
      input: [6, 1, 50], oneD: true, dense: [10], seed: 37, inputType: 'uint8',
      convs: [{ out: 16, kernel: 5, pads: 2, poolBefore: { op: 'MaxPool', kernel: 3, stride: 2, pads: 1 } }, { out: 16, kernel: 3, groups: 4, dilation: 2 }],
    })),
    options: {}, data: data('seq.csv', 6 * 50, 8), first: 'conv2d_int_b1',
  },
  {
    name: 'float32 RGB CNN with a padded overlapping max-pool before the threshold and a grouped second conv',
    model: write('float32-pool.onnx', binaryCnn({
      input: [3, 11, 11], dense: [10], seed: 38, inputType: 'float',
      convs: [{ out: 12, kernel: 3, pads: 1, poolBefore: { op: 'MaxPool', kernel: 3, stride: 2, pads: 1 } }, { out: 16, kernel: 3, groups: 4 }],
    })),
    options: { inputType: 'float32' }, data: floatData('float32-pool.csv', 3 * 11 * 11, 9), first: 'conv2d_f32_b1',
  },
  {
    name: 'float-input MLP with --input-type float32',
    model: write('float32-mlp.onnx', binaryMlp({ widths: [96, 64, 32, 8], seed: 34, input: 'float' })),
    options: { inputType: 'float32' }, data: floatData('float32-mlp.csv', 96, 4), first: 'dense_f32_b1',
  },
];

describe('image and declared-quantization inputs', () => {
  it('an RGB image is HWC on the device: verify reorders the NCHW data, the header says so', () => {
    const lowered = runPasses(loadModel(CASES[0].model));
    const order = deviceInputOrder(lowered)!;
    expect(Array.from(order.subarray(0, 4))).toEqual([0, 256, 512, 1]); // R, G, B of pixel 0, then R of pixel 1
    const sample = Array.from({ length: 768 }, (_, i) => i % 251);
    const device = deviceInputs(lowered, { source: 'test', samples: 1, features: 768, shape: [3, 16, 16], inputs: Float64Array.from(sample), labels: null })[0];
    expect(device.slice(0, 4)).toEqual([sample[0], sample[256], sample[512], sample[1]]);
    const header = generateC(lowered, { name: 'rgb', vectors: [] }).find((f) => f.name === 'rgb.h')!;
    expect(header.content).toContain('an image of 16 x 16 pixels of 3 interleaved channels (HWC: pixel (y, x) channel ch at [(y * 16 + x) * 3 + ch])');
    expect(deviceInputOrder(runPasses(loadModel(CASES[2].model, CASES[2].options)))).toBeNull();
    const sequence = generateC(runPasses(loadModel(CASES[6].model)), { name: 'seq', vectors: [] }).find((f) => f.name === 'seq.h')!;
    expect(sequence.content).toContain('50 steps of 6 interleaved channels (step t channel ch at [t * 6 + ch])');
  });

  for (const c of CASES) {
    it(`${c.name}: host C and ASan bit-exact, 0 unexplained, >= 99 % argmax agreement with onnxruntime`, async () => {
      const model = loadModel(c.model, c.options);
      const lowered = runPasses(model);
      expect(lowered.layers[0].kind).toBe(c.first);
      const report = await verifyOnHost(model, lowered, { data: c.data });
      expect(report.firstMismatch).toBeNull();
      expect(report.bitExact.host).toEqual({ equal: 200, total: 200 });
      expect(report.bitExact.hostSanitized).toEqual({ equal: 200, total: 200 });
      const ref = report.reference!;
      expect(ref.engine).toBe('onnxruntime');
      expect(ref.divergence.unexplained).toBe(0);
      expect(ref.argmaxEqual / ref.total).toBeGreaterThanOrEqual(0.99);
      expect(report.ok).toBe(true);
    });
  }

  // stm32f4 and esp32c3 add floats in soft-float; cortex-m55 with its FPU (-mfloat-abi=hard): the same bits.
  for (const [targetName, cases] of [['stm32f4', CASES], ['esp32c3', CASES], ['cortex-m55', CASES.filter((c) => c.options.inputType === 'float32')]] as const) {
    const target = loadTarget(targetName);
    const skip = toolchainSkipReason(target);
    it.skipIf(skip !== null)(`QEMU ${targetName}: every case bit-exact with the emulator${skip ? ` (${skip})` : ''}`, async () => {
      for (const c of cases) {
        const model = loadModel(c.model, c.options);
        const report = await verifyOnHost(model, runPasses(model), { data: c.data, limit: 24, target, noSanitize: true, noReference: true });
        expect(report.firstMismatch).toBeNull();
        expect(report.bitExact.qemu).toEqual({ equal: 24, total: 24 });
        expect(report.ok).toBe(true);
      }
    });
  }
});
