/**
 * Larq models saved by Keras (.h5, .keras): the committed fixtures of
 * examples/larq/ (written by make_models.py in Keras' own layouts) import,
 * lower identically from both containers, agree with the independent numpy
 * implementation of Larq's inference (examples/larq/expected.json) on all
 * 1,000 bundled test images, and verify bit-exact on host and ASan; QEMU runs
 * are in test/verify/larq-qemu.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/index.ts';
import { argmax, emulate } from '../../src/emulator/index.ts';
import { loadModel, type LoadModelOptions } from '../../src/importers/index.ts';
import { readKerasModel } from '../../src/importers/keras/import.ts';
import { toSnakeCase } from '../../src/importers/keras/weights.ts';
import type { Conv2dLayer, DenseLayer } from '../../src/ir/types.ts';
import { runPasses } from '../../src/passes/index.ts';
import { createReference } from '../../src/reference/index.ts';
import { deviceInputs } from '../../src/verify/inputs.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';

const DIR = 'examples/larq';
const DATA = 'examples/mnist-mlp/data';
const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as {
  models: Record<string, { argmax: number[]; accuracy: number; logits_first_10: number[][] }>;
};

/** The tutorial feeds pixel / 127.5 - 1 = (1 / 127.5) * (pixel - 127.5); the MLP has a Rescaling layer instead. */
const LARQ_FIXTURES: { name: string; options: LoadModelOptions }[] = [
  { name: 'mnist_cnn', options: { inputScale: 1 / 127.5, inputZeroPoint: 127.5 } },
  { name: 'mnist_mlp', options: {} },
  { name: 'options', options: {} }, // random weights; its InputLayer declares uint8
  { name: 'breadth', options: {} }, // random weights: depthwise, grouped and dilated binary convolutions
];

const data = loadDataset(DATA);

for (const { name, options } of LARQ_FIXTURES) {
  describe(`${name} (.h5 and .keras)`, () => {
    const h5 = loadModel(`${DIR}/${name}.h5`, options);
    const keras = loadModel(`${DIR}/${name}.keras`, options);
    const lowered = runPasses(h5);

    it('both containers lower to identical integer layers', () => {
      expect(h5.sourceFormat).toBe('keras-h5');
      expect(keras.sourceFormat).toBe('keras');
      expect(h5.input).toEqual(keras.input);
      expect(runPasses(keras).layers).toEqual(lowered.layers);
    });

    it('the emulator agrees with the independent numpy reference on every bundled test image', () => {
      const want = expected.models[name].argmax;
      const inputs = deviceInputs(lowered, data);
      expect(inputs).toHaveLength(1000);
      const got = inputs.map((row) => emulate(lowered, row).prediction);
      expect(got.filter((p, i) => p === want[i]).length).toBe(want.length);
      const correct = got.filter((p, i) => p === data.labels![i]).length; // also checks the accuracy expected.json records
      expect(correct / 1000).toBeCloseTo(expected.models[name].accuracy, 6);
    });

    it('the Larq reference interpreter gives numpy\'s logits', async () => {
      const reference = await createReference(h5, lowered);
      expect(reference.engine).toBe('bnnc-larq-interpreter');
      const inputs = deviceInputs(lowered, data);
      for (let s = 0; s < 10; s++) {
        const { logits } = await reference.run(Float64Array.from(inputs[s]));
        expect(Array.from(logits)).toEqual(expected.models[name].logits_first_10[s]);
        expect(argmax(logits)).toBe(expected.models[name].argmax[s]);
      }
    });

    it('verifies bit-exact on host and ASan, with 100 % argmax agreement with the Larq reference on 300 images', async () => {
      const report = await verifyOnHost(keras, runPasses(keras), { data: DATA, limit: 300 });
      expect(report.firstMismatch).toBeNull();
      expect(report.bitExact.host).toEqual({ equal: 300, total: 300 });
      expect(report.bitExact.hostSanitized).toEqual({ equal: 300, total: 300 });
      expect(report.reference?.engine).toBe('bnnc-larq-interpreter');
      expect(report.reference?.argmaxEqual).toBe(300);
      expect(report.reference?.divergence.unexplained).toBe(0);
      expect(report.ok).toBe(true);
    }, 240_000);
  });
}

describe('Larq semantics in the IR', () => {
  it('a latent weight of exactly 0.0 binarizes to +1 (Larq\'s sign), in the IR and in the stored kernel', () => {
    const parsed = readKerasModel(`${DIR}/mnist_cnn.h5`);
    const conv = parsed.layers.find((l) => l.kind === 'conv2d' && l.name === 'quant_conv2d_1');
    if (conv?.kind !== 'conv2d') throw new Error('fixture has no quant_conv2d_1');
    const zeros = [...conv.kernel.keys()].filter((i) => Object.is(conv.kernel[i], 0));
    expect(zeros.length).toBeGreaterThan(0);
    const ir = loadModel(`${DIR}/mnist_cnn.h5`, LARQ_FIXTURES[0].options).layers.find((l) => l.name === 'quant_conv2d_1') as Conv2dLayer;
    const [kh, kw] = conv.kernelSize;
    const [, , c] = conv.inShape;
    const oc = conv.outShape[2];
    for (const i of zeros) {
      // HWIO index -> IR [out][kh][kw][in]
      const o = i % oc; const ch = Math.floor(i / oc) % c; const kx = Math.floor(i / (oc * c)) % kw; const ky = Math.floor(i / (oc * c * kw));
      expect(ir.weight[((o * kh + ky) * kw + kx) * c + ch]).toBe(1);
    }
  });

  it('dense kernels (in, out) become IR rows [out][in]; magnitude_aware_sign becomes a positive per-channel scale', () => {
    const parsed = readKerasModel(`${DIR}/mnist_mlp.keras`);
    const spec = parsed.layers.find((l) => l.name === 'quant_dense_1');
    if (spec?.kind !== 'dense') throw new Error('fixture has no quant_dense_1');
    const model = loadModel(`${DIR}/mnist_mlp.keras`);
    const i = model.layers.findIndex((l) => l.name === 'quant_dense_1');
    const dense = model.layers[i] as DenseLayer;
    const [inF] = spec.inShape;
    const [units] = spec.outShape;
    expect(dense.weight[5 * inF + 3]).toBe(spec.kernel[3 * units + 5] < 0 ? -1 : 1);
    const scale = model.layers[i + 1];
    expect(scale.kind === 'affine' && scale.name).toBe('quant_dense_1/magnitude_aware_sign');
    if (scale.kind !== 'affine') return;
    let sum = 0;
    for (let k = 0; k < inF; k++) sum += Math.abs(spec.kernel[k * units + 5]);
    expect(scale.steps[0].value[5]).toBe(Math.fround(sum / inF));
    expect(scale.steps[0].value.every((v) => v > 0)).toBe(true);
  });

  it('QuantDepthwiseConv2D: output channel c * depth_multiplier + m reads input channel c with kernel [.., c, m]; its magnitude scale is per m', () => {
    const parsed = readKerasModel(`${DIR}/breadth.h5`);
    const spec = parsed.layers.find((l) => l.name === 'quant_depthwise_conv2d');
    if (spec?.kind !== 'conv2d') throw new Error('fixture has no quant_depthwise_conv2d');
    const model = loadModel(`${DIR}/breadth.h5`);
    const i = model.layers.findIndex((l) => l.name === 'quant_depthwise_conv2d');
    const conv = model.layers[i] as Conv2dLayer;
    const [kh, kw] = spec.kernelSize;
    const c = spec.inShape[2];
    const mult = spec.depthMultiplier!;
    expect([conv.groups, conv.dilation, conv.outShape[2], mult]).toEqual([c, [2, 2], c * mult, 2]);
    expect(conv.weight).toHaveLength(c * mult * kh * kw); // one input channel per group
    for (let ch = 0; ch < c; ch++) for (let m = 0; m < mult; m++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const stored = spec.kernel[((ky * kw + kx) * c + ch) * mult + m];
      expect(conv.weight[((ch * mult + m) * kh + ky) * kw + kx]).toBe(stored < 0 ? -1 : 1);
    }
    const scale = model.layers[i + 1];
    if (scale.kind !== 'affine') throw new Error('no magnitude scale after the depthwise layer');
    let sum = 0;
    for (let k = 1; k < spec.kernel.length; k += mult) sum += Math.abs(spec.kernel[k]); // m = 1 over (kh, kw, c)
    expect(scale.steps[0].value[2 * mult + 1]).toBe(Math.fround(sum / (kh * kw * c)));
  });

  it('grouped QuantConv2D: kernel [kh, kw, in / groups, filters] keeps its per-group rows', () => {
    const parsed = readKerasModel(`${DIR}/breadth.keras`);
    const spec = parsed.layers.find((l) => l.name === 'quant_conv2d_2');
    if (spec?.kind !== 'conv2d') throw new Error('fixture has no quant_conv2d_2');
    const conv = loadModel(`${DIR}/breadth.keras`).layers.find((l) => l.name === 'quant_conv2d_2') as Conv2dLayer;
    const [kh, kw] = spec.kernelSize;
    const oc = spec.outShape[2];
    const groupC = spec.inShape[2] / spec.groups;
    expect([conv.groups, conv.dilation, groupC]).toEqual([4, undefined, 8]);
    for (let o = 0; o < oc; o++) for (let k = 0; k < kh * kw; k++) for (let i = 0; i < groupC; i++) {
      expect(conv.weight[(o * kh * kw + k) * groupC + i]).toBe(spec.kernel[(k * groupC + i) * oc + o] < 0 ? -1 : 1);
    }
  });

  it('quantizers written as alias strings (older Larq) import like the serialized objects', () => {
    const members = unzipSync(readFileSync(`${DIR}/mnist_mlp.keras`));
    const config = JSON.parse(strFromU8(members['config.json']));
    for (const l of config.config.layers) {
      for (const key of ['input_quantizer', 'kernel_quantizer']) {
        const q = l.config[key];
        if (q) l.config[key] = q.config.name; // "ste_sign", "approx_sign", ...: the registered aliases
      }
    }
    members['config.json'] = strToU8(JSON.stringify(config));
    const path = join(mkdtempSync(join(tmpdir(), 'bnnc-keras-alias-')), 'alias.keras');
    writeFileSync(path, zipSync(members, { level: 0 }));
    expect(runPasses(loadModel(path)).layers).toEqual(runPasses(loadModel(`${DIR}/mnist_mlp.keras`)).layers);
  });

  it('Keras 3 weight paths: snake_case of the class name with a per-class counter', () => {
    expect(['QuantConv2D', 'BatchNormalization', 'MaxPooling2D', 'QuantDense', 'GlobalAveragePooling2D', 'QuantDepthwiseConv2D'].map(toSnakeCase))
      .toEqual(['quant_conv2d', 'batch_normalization', 'max_pooling2d', 'quant_dense', 'global_average_pooling2d', 'quant_depthwise_conv2d']);
  });

  it('the declared input mapping defaults the device input to uint8, for ONNX too', () => {
    expect(loadModel(`${DIR}/mnist_cnn.h5`).input.dtype).toBe('float32');
    expect(loadModel(`${DIR}/mnist_cnn.h5`, LARQ_FIXTURES[0].options).input.dtype).toBe('uint8');
    expect(loadModel(`${DIR}/mnist_mlp.h5`).input.dtype).toBe('uint8'); // starts with Rescaling
    expect(loadModel('examples/mnist-mlp/model.onnx', { inputScale: 0.5 }).layers[0].name).toBe('declared input mapping');
  });

  it('without the mapping, the first convolution runs on float32 input', () => {
    expect(runPasses(loadModel(`${DIR}/mnist_cnn.h5`)).layers[0].kind).toBe('conv2d_f32_b1');
  });
});
