/** The CLI on Larq models: the input mapping options, the reference it names, and errors without stack traces. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const MAPPING = ['--input-scale', '1/127.5', '--input-zero-point', '127.5'];

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'bnnc', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('bnnc on Larq models', () => {
  it('inspect shows the Keras format, the declared uint8 input and the lowered layers', async () => {
    const r = await run('inspect', 'examples/larq/mnist_cnn.h5', ...MAPPING);
    expect(r.code).toBe(0);
    expect(r.out).toContain('mnist_cnn: examples/larq/mnist_cnn.h5 (keras-h5), input uint8 [1, 28, 28], 10 classes');
    expect(r.out).toMatch(/declared input mapping +affine +--input-scale\/--input-zero-point/);
    expect(r.out).toMatch(/quant_conv2d +conv2d_int_b1 +uint8 +binary +28x28x1 -> 13x13x32/);
  });

  it('verify names the Larq reference (text and --json)', async () => {
    const text = await run('verify', 'examples/larq/mnist_mlp.keras', '--data', 'examples/mnist-mlp/data', '--limit', '40', '--no-sanitize');
    expect(text.code).toBe(0);
    expect(text.out).toContain('emulator vs float reference (bnnc-larq-interpreter)');
    expect(text.out).toMatch(/argmax +40\/40 equal \(100.00 %\)/);
    const json = await run('verify', 'examples/larq/mnist_cnn.keras', ...MAPPING, '--data', 'examples/mnist-mlp/data', '--limit', '20', '--no-sanitize', '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out);
    expect(report.reference.engine).toBe('bnnc-larq-interpreter');
    expect(report.reference.argmaxEqual).toBe(20);
  }, 120_000);

  it('without the input mapping, the first convolution runs on float32 input', async () => {
    const r = await run('inspect', 'examples/larq/mnist_cnn.h5');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/quant_conv2d +conv2d_f32_b1 +float32/);
  });

  it('an unsupported layer: one message naming it, exit 2', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bnnc-larq-cli-')), 'bad.h5');
    writeFileSync(path, Buffer.from(readFileSync('examples/larq/mnist_cnn.h5').toString('latin1').split('"class_name": "Flatten"').join('"class_name": "Permute"'), 'latin1'));
    const r = await run('inspect', path, ...MAPPING);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unsupported layer\(s\):\n {2}- "flatten": Permute/);
    expect(r.err).not.toMatch(/\s+at .*\.ts:\d+/);
  });

  it('--input-scale on an ONNX model is its declared input mapping; a zero scale is refused', async () => {
    const r = await run('inspect', 'examples/mnist-mlp/model.onnx', '--input-scale', '1/2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/declared input mapping +affine +--input-scale\/--input-zero-point/);
    const zero = await run('inspect', 'examples/mnist-mlp/model.onnx', '--input-scale', '0');
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/an input scale of 0 maps every device value to one model input/);
  });
});
