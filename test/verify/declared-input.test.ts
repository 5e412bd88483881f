/**
 * Issue 13 (b): declared input quantization for ONNX and .bnn.json models
 * (model input = S * (v - Z), TFLite's convention). A model trained on
 * normalised float input has no scaling node; the declaration, from the options
 * or the metadata bnnc.input_scale / bnnc.input_zero_point, becomes the first IR
 * layer and folds into the first integer layer. Checked against onnxruntime fed
 * S * (v - Z) in float32.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/importers/index.ts';
import { INPUT_MAPPING_LAYER } from '../../src/importers/inputMapping.ts';
import { toNativeJson } from '../../src/importers/native.ts';
import type { Model } from '../../src/ir/types.ts';
import { runPasses } from '../../src/passes/index.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';
import { binaryCnn, binaryMlp, rng } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-declared-'));

function writeData(name: string, features: number, seed: number, samples = 200): string {
  const next = rng(seed);
  const rows = Array.from({ length: samples }, () => Array.from({ length: features }, () => Math.floor(next() * 256)));
  const path = join(dir, name);
  writeFileSync(path, rows.map((r) => r.join(',')).join('\n'));
  return path;
}

function write(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/**
 * A float-input CNN: no scaling node, the first convolution reads the float input as it is. Padded (PyTorch's zero)
 * or not: a zero point Z != 0 needs an unpadded first convolution (a padded tap is model input 0, device value Z).
 */
const floatCnn = (pads: number, metadata?: Record<string, string>) => binaryCnn({
  input: [1, 12, 12], convs: [{ out: 16, kernel: 3, pads, poolBefore: true }, { out: 12, kernel: 3 }], dense: [20, 10], seed: 21, inputType: 'float', metadata,
});

async function expectVerified(model: Model, data: string): Promise<void> {
  const report = await verifyOnHost(model, runPasses(model), { data, noSanitize: true });
  const ref = report.reference!;
  expect(ref.engine).toBe('onnxruntime');
  expect(ref.divergence.unexplained).toBe(0);
  expect(ref.argmaxEqual / ref.total).toBeGreaterThanOrEqual(0.99);
  expect(report.ok).toBe(true);
}

describe('declared input quantization (ONNX, .bnn.json)', () => {
  it('a float-input CNN with --input-type uint8 --input-scale 1/16: the mapping is the first layer, folded into the integer convolution', async () => {
    const path = write('float-cnn.onnx', floatCnn(1));
    expect(runPasses(loadModel(path)).layers[0].kind).toBe('conv2d_f32_b1'); // undeclared: float32 device input
    const model = loadModel(path, { inputType: 'uint8', inputScale: 1 / 16 });
    expect(model.input.dtype).toBe('uint8');
    expect(model.layers[0]).toMatchObject({ kind: 'affine', name: INPUT_MAPPING_LAYER, sources: ['--input-scale/--input-zero-point'] });
    expect(runPasses(model).layers[0].kind).toBe('conv2d_int_b1');
    await expectVerified(model, writeData('cnn.csv', 144, 1));
  });

  it('the same from the metadata bnnc.input_scale / bnnc.input_zero_point, with a zero point that is not an integer', async () => {
    const path = write('float-cnn-meta.onnx', floatCnn(0, { 'bnnc.input_scale': '0.0078125', 'bnnc.input_zero_point': '127.5' }));
    const model = loadModel(path);
    expect(model.input.dtype).toBe('uint8');
    expect(model.layers[0]).toMatchObject({ name: INPUT_MAPPING_LAYER, sources: ['metadata bnnc.input_scale/bnnc.input_zero_point'] });
    await expectVerified(model, writeData('cnn-meta.csv', 144, 2));
  });

  it('a float-input MLP with an int8 device input and a negative scale', async () => {
    const path = write('float-mlp.onnx', binaryMlp({ widths: [48, 40, 6], seed: 4, input: 'float' }));
    const model = loadModel(path, { inputType: 'int8', inputScale: -0.03, inputZeroPoint: -3.25 });
    expect(runPasses(model).layers[0].kind).toBe('dense_int_b1');
    const next = rng(9);
    const rows = Array.from({ length: 200 }, () => Array.from({ length: 48 }, () => Math.floor(next() * 256) - 128));
    await expectVerified(model, write('mlp.csv', rows.map((r) => r.join(',')).join('\n')));
  });

  it('.bnn.json: convert records the mapping; a converted file lowers like its source and refuses a second mapping', () => {
    const path = write('convert.onnx', floatCnn(0));
    const options = { inputType: 'uint8' as const, inputScale: 1 / 16, inputZeroPoint: 3 };
    const model = loadModel(path, options);
    const native = write('convert.bnn.json', toNativeJson(model, null).json);
    const reloaded = loadModel(native);
    expect(reloaded.input.dtype).toBe('uint8');
    expect(runPasses(reloaded).layers).toEqual(runPasses(model).layers);
    expect(() => loadModel(native, { inputScale: 0.5 })).toThrow(/already declares its input quantization/);
    const plain = write('plain.bnn.json', toNativeJson(loadModel(path), null).json);
    expect(runPasses(loadModel(plain, options)).layers).toEqual(runPasses(model).layers);
  });

  it('bad declarations are errors that say what to do', () => {
    const path = write('bad-meta.onnx', floatCnn(1, { 'bnnc.input_scale': 'one sixteenth' }));
    expect(() => loadModel(path)).toThrow(/metadata bnnc.input_scale is "one sixteenth", not a number/);
    expect(loadModel(path, { inputScale: 0.25 }).layers[0].name).toBe(INPUT_MAPPING_LAYER); // the option overrides it
    expect(() => loadModel(write('zero.onnx', floatCnn(1)), { inputScale: 0 })).toThrow(/input scale of 0/);
    expect(() => runPasses(loadModel(write('padded.onnx', floatCnn(1)), { inputScale: 0.25, inputZeroPoint: 128 }))).toThrow(/input offset -32 with zero padding/);
  });
});
