/**
 * Issue 9 items 6 and 9: a layer outside its C kernel's documented range, or
 * whose accumulators (pooled sums included) leave int32, is refused at lowering
 * with an error naming the layer, the limit and what to do; a model just inside
 * the int32 range builds exact thresholds (emulator = C under UBSan = onnxruntime).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BnncError } from '../../src/errors.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';
import { binaryMlp, buildOnnx, rng, signs } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-limits-'));

function lower(name: string, bytes: Uint8Array) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const model = importOnnx(path);
  return { model, lower: () => runPasses(model) };
}

function loweringError(name: string, bytes: Uint8Array): BnncError {
  try {
    lower(name, bytes).lower();
  } catch (e) {
    if (e instanceof BnncError) return e;
    throw e;
  }
  throw new Error(`${name}: lowering did not fail`);
}

/** x (uint8 or binarized) -> Conv(kh x kw, `out` channels, channel 0 all +1, no padding) -> [GlobalAveragePool] -> BN -> Sign -> Flatten -> MatMul. */
function convModel(opts: { input: [number, number, number]; kernel: [number, number]; out: number; gap: boolean; inputType: 'uint8' | 'binarized'; seed: number }): Uint8Array {
  const next = rng(opts.seed);
  const [c, h, w] = opts.input;
  const [kh, kw] = opts.kernel;
  const [oh, ow] = opts.gap ? [1, 1] : [h - kh + 1, w - kw + 1];
  const features = opts.out * oh * ow;
  const prologue = opts.inputType === 'uint8'
    ? [{ op: 'Div', inputs: ['input', 'scale'], outputs: ['x'] }]
    : [{ op: 'Sub', inputs: ['input', 'half'], outputs: ['centered'] }, { op: 'Sign', inputs: ['centered'], outputs: ['x'] }];
  return buildOnnx({
    inputShape: [1, c, h, w],
    metadata: opts.inputType === 'uint8' ? { 'bnnc.input_type': 'uint8' } : {},
    initializers: {
      scale: { dims: [], data: [255] }, half: { dims: [], data: [0.5] },
      // Channel 0 all +1: its accumulator reaches 255 * taps (times the pool window), the extreme of the range.
      cw: { dims: [opts.out, c, kh, kw], data: [...Array(c * kh * kw).fill(1), ...signs((opts.out - 1) * c * kh * kw, next)] },
      g: { dims: [opts.out], data: Array(opts.out).fill(1) }, b: { dims: [opts.out], data: Array(opts.out).fill(0) },
      m: { dims: [opts.out], data: Array.from({ length: opts.out }, () => (next() - 0.5) * 20) }, v: { dims: [opts.out], data: Array(opts.out).fill(1) },
      d: { dims: [features, 2], data: signs(features * 2, next) },
    },
    nodes: [
      ...prologue,
      { op: 'Conv', inputs: ['x', 'cw'], outputs: ['y'], attrs: { kernel_shape: [kh, kw] }, name: 'big_conv' },
      ...(opts.gap ? [{ op: 'GlobalAveragePool', inputs: ['y'], outputs: ['p'] }] : [{ op: 'Identity', inputs: ['y'], outputs: ['p'] }]),
      { op: 'BatchNormalization', inputs: ['p', 'g', 'b', 'm', 'v'], outputs: ['n'] },
      { op: 'Sign', inputs: ['n'], outputs: ['s'] },
      { op: 'Flatten', inputs: ['s'], outputs: ['f'] },
      { op: 'MatMul', inputs: ['f', 'd'], outputs: ['out'] },
    ],
    output: 'out',
  });
}

describe('kernel limits at lowering', () => {
  it('a uint8 dense first layer with 65,536 inputs: layer error naming n_in', () => {
    const e = loweringError('wide.onnx', binaryMlp({ widths: [65536, 2, 2], seed: 1, input: 'uint8' }));
    expect(e.message).toMatch(/layer "[^"]+".*inputs \(bnn_dense_u8_b1 n_in\) is 65536, outside the C kernel's range/);
    expect(e.message).toMatch(/expected: .*in \[1, 65535\]/);
    expect(e.message).toMatch(/hint: /);
  });

  it('65,535 inputs still lower', () => {
    expect(() => lower('edge.onnx', binaryMlp({ widths: [65535, 2, 2], seed: 1, input: 'uint8' })).lower()).not.toThrow();
  });

  it('a 128-wide kernel: the int8_t field of the conv parameters', () => {
    const e = loweringError('k128.onnx', convModel({ input: [1, 2, 130], kernel: [1, 128], out: 1, gap: false, inputType: 'binarized', seed: 2 }));
    // The importer checks the window against the C fields before any size is used (checkKernelLimits repeats it at lowering).
    expect(e.message).toMatch(/node "big_conv" \(Conv\): kernel 1x128/);
    expect(e.message).toMatch(/1\.\.127 per axis \(the C kernels' int8_t fields\)/);
  });

  it('an image 32,768 pixels wide: the int16_t field of the conv parameters', () => {
    const e = loweringError('w32k.onnx', convModel({ input: [1, 1, 32768], kernel: [1, 1], out: 1, gap: true, inputType: 'binarized', seed: 3 }));
    expect(e.message).toMatch(/node "big_conv" \(Conv\): inShape\[1\] = 32768 is outside 1\.\.32767 \(an int16_t field of the C kernel parameters\)/);
  });
});

describe('int32 accumulators of pooled integer convolutions', () => {
  it('30x30 kernel on a 128x128 uint8 image, global average pool: refused, not wrapped', () => {
    const e = loweringError('gap128.onnx', convModel({ input: [1, 128, 128], kernel: [30, 30], out: 2, gap: true, inputType: 'uint8', seed: 4 }));
    expect(e.message).toMatch(/layer "big_conv".*the 99x99 average pool's sum of accumulators reaches -?2\d{9}, outside the int32 range/);
    expect(e.message).toMatch(/hint: /);
  });

  it('30x30 kernel on a 100x100 uint8 image (pooled sums up to 1.16e9): exact, emulator = C (UBSan) = onnxruntime', async () => {
    const { model, lower: run } = lower('gap100.onnx', convModel({ input: [1, 100, 100], kernel: [30, 30], out: 2, gap: true, inputType: 'uint8', seed: 5 }));
    const lowered = run();
    const next = rng(6);
    // Bright and dark images push the pooled sums towards both ends of the range.
    const rows = Array.from({ length: 6 }, (_, s) => Array.from({ length: 10000 }, () => (s % 2 ? 200 + Math.floor(next() * 56) : Math.floor(next() * 256))));
    const data = join(dir, 'gap100.csv');
    writeFileSync(data, rows.map((r) => r.join(',')).join('\n'));
    const report = await verifyOnHost(model, lowered, { data });
    expect(report.bitExact.hostSanitized).toEqual({ equal: 6, total: 6 });
    expect(report.reference!.divergence.unexplained).toBe(0);
    expect(report.ok).toBe(true);
  }, 60_000);
});
