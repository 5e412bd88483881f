/**
 * Malformed and unsupported Keras files, made in the test from the committed
 * fixtures (examples/larq): same-length byte edits of the .h5 config (so the
 * HDF5 structure stays valid), rewritten config.json in .keras archives,
 * truncations and byte flips. Every one must give a BnncError naming the file
 * (and the layer where there is one) and what is supported; never another error.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BnncError } from '../../src/errors.ts';
import { loadModel } from '../../src/importers/index.ts';
import { runPasses } from '../../src/passes/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-keras-'));
const CNN_H5 = readFileSync('examples/larq/mnist_cnn.h5');
const CNN_KERAS = readFileSync('examples/larq/mnist_cnn.keras');
const MLP_H5 = readFileSync('examples/larq/mnist_mlp.h5');
const MLP_KERAS = readFileSync('examples/larq/mnist_mlp.keras');
const BREADTH_KERAS = readFileSync('examples/larq/breadth.keras');
const MAPPING = { inputScale: 1 / 127.5, inputZeroPoint: 127.5 };

let counter = 0;
function write(bytes: Uint8Array, ext: string): string {
  const path = join(dir, `case${counter++}${ext}`);
  writeFileSync(path, bytes);
  return path;
}

/** Replaces every occurrence of `from` by `to` (same length, so the HDF5 layout is untouched). */
function editH5(bytes: Uint8Array, from: string, to: string): string {
  expect(to.length).toBe(from.length);
  const text = Buffer.from(bytes).toString('latin1');
  expect(text.includes(from)).toBe(true);
  return write(Buffer.from(text.split(from).join(to), 'latin1'), '.h5');
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Rewrites config.json of a .keras archive. */
function editKeras(bytes: Uint8Array, edit: (config: Json) => void): string {
  const members = unzipSync(bytes);
  const config = JSON.parse(strFromU8(members['config.json'])) as Json;
  edit(config);
  members['config.json'] = strToU8(JSON.stringify(config));
  return write(zipSync(members, { level: 0 }), '.keras');
}

const layer = (config: Json, name: string): Json => config.config.layers.find((l: Json) => l.config.name === name);

function bnncError(load: () => unknown): BnncError {
  try {
    load();
  } catch (error) {
    if (error instanceof BnncError) return error;
    throw new Error(`expected a BnncError, got: ${(error as Error)?.stack ?? String(error)}`);
  }
  throw new Error('expected a BnncError, but the model loaded');
}

describe('unsupported layers and quantizers are refused, naming the layer and what is supported', () => {
  it('an unknown layer class (in .h5)', () => {
    const path = editH5(CNN_H5, '"class_name": "Flatten"', '"class_name": "Flattex"');
    const e = bnncError(() => loadModel(path, MAPPING));
    expect(e.message).toMatch(/1 unsupported layer\(s\):\n {2}- "flatten": Flattex/);
    expect(e.message).toMatch(/expected: layers of a binary network: QuantDense, QuantConv2D, BatchNormalization/);
    expect(e.message).toContain(path);
  });

  it('a ternary kernel quantizer (SteTern, in .h5)', () => {
    const path = editH5(CNN_H5, '"SteSign"', '"SteTern"');
    expect(bnncError(() => loadModel(path, MAPPING)).message).toMatch(
      /layer "quant_conv2d" \(QuantConv2D\): kernel_quantizer "SteTern" is not supported \(SteTern is ternary[\s\S]*expected: ste_sign, approx_sign, swish_sign/);
  });

  it.each([
    ['ste_heaviside', /input_quantizer "ste_heaviside" is not supported \(SteHeaviside gives \{0, 1\}/],
    [{ module: 'larq.quantizers', class_name: 'DoReFa', config: { k_bit: 2 }, registered_name: 'DoReFa' }, /input_quantizer "DoReFa" is not supported \(DoReFa is a multi-bit/],
    [{ class_name: 'NoOp', config: { precision: 1 } }, /input_quantizer NoOp keeps full-precision values/],
    ['magnitude_aware_sign', /magnitude_aware_sign as input_quantizer/],
  ])('input quantizer %j (in .keras)', (quantizer, message) => {
    const path = editKeras(CNN_KERAS, (c) => { layer(c, 'quant_conv2d_1').config.input_quantizer = quantizer; });
    const e = bnncError(() => loadModel(path, MAPPING));
    expect(e.message).toMatch(message);
    expect(e.message).toContain('layer "quant_conv2d_1" (QuantConv2D)');
  });

  it.each([
    ['groups', 3, /groups = 3 for 32 input channels and 64 filters\n {2}expected: a group count that divides both the input channels and filters/],
    ['dilation_rate', [0, 1], /dilation_rate = \[0,1\]\n {2}expected: an integer or a pair of integers >= 1/],
    ['depth_multiplier', 0, /depth_multiplier = 0\n {2}expected: an integer from 1/],
  ])('%s %j', (key, value, message) => {
    const path = editKeras(BREADTH_KERAS, (c) => {
      layer(c, key === 'depth_multiplier' ? 'quant_depthwise_conv2d' : 'quant_conv2d_2').config[key] = value;
      if (key === 'groups') layer(c, 'quant_conv2d_2').config.filters = 64;
    });
    expect(bnncError(() => loadModel(path)).message).toMatch(message);
  });

  it('groups that change the stored kernel shape: the weights no longer fit', () => {
    const path = editKeras(BREADTH_KERAS, (c) => { layer(c, 'quant_conv2d_2').config.groups = 8; });
    expect(bnncError(() => loadModel(path)).message).toMatch(/layer "quant_conv2d_2" \(QuantConv2D\): kernel has shape \[3, 3, 8, 32\][\s\S]*expected: shape \[3, 3, 4, 32\]/);
  });

  it.each([
    ['quant_depthwise_conv2d', 'QuantDepthwiseConv2D', 'grouped or depthwise'],
    ['quant_conv2d_2', 'QuantConv2D', 'grouped or depthwise'],
  ])('pad_values 1 on %s ("same"): grouped convolutions pad with zeros only', (name, cls, what) => {
    const path = editKeras(BREADTH_KERAS, (c) => { layer(c, name).config.pad_values = 1.0; });
    expect(bnncError(() => loadModel(path)).message).toMatch(new RegExp(
      `layer "${name}" \\(${cls}\\): pad_values = 1 with padding "same" on a ${what} convolution\n {2}expected: pad_values 0 on grouped, depthwise and dilated`));
  });

  it('the lowering refuses a grouped convolution padded with +1 (its kernel pads with zeros only), whatever imported it', () => {
    const model = loadModel('examples/larq/breadth.keras');
    const conv = model.layers.find((l) => l.name === 'quant_conv2d_2');
    if (conv?.kind !== 'conv2d') throw new Error('fixture has no quant_conv2d_2');
    conv.padding = 'plus';
    expect(() => runPasses(model)).toThrow(/a grouped or dilated convolution padded with \+1[\s\S]*expected: zero padding on grouped and dilated convolutions/);
  });

  it('pad_values 1 with padding "valid" pads nothing and is accepted on a dilated convolution', () => {
    const path = editKeras(BREADTH_KERAS, (c) => { layer(c, 'quant_conv2d_1').config.pad_values = 1.0; });
    expect(runPasses(loadModel(path)).layers).toEqual(runPasses(loadModel('examples/larq/breadth.keras')).layers);
  });

  it('magnitude_aware_sign on a convolution followed by a pool', () => {
    const path = editKeras(CNN_KERAS, (c) => {
      layer(c, 'quant_conv2d_1').config.kernel_quantizer = { module: 'larq.quantizers', class_name: 'MagnitudeAwareSign', config: { clip_value: 1 }, registered_name: 'MagnitudeAwareSign' };
    });
    expect(bnncError(() => loadModel(path, MAPPING)).message).toMatch(
      /layer "quant_conv2d_1" \(QuantConv2D\): kernel_quantizer magnitude_aware_sign followed by MaxPooling2D "max_pooling2d_1"\n {2}expected: magnitude_aware_sign followed by BatchNormalization/);
  });

  it('pad_values other than 0, 1 (or -1)', () => {
    const path = editKeras(CNN_KERAS, (c) => { Object.assign(layer(c, 'quant_conv2d_1').config, { pad_values: 0.5, padding: 'same' }); });
    expect(bnncError(() => loadModel(path, MAPPING)).message).toMatch(/pad_values = 0.5\n {2}expected: pad_values 0 \(zero padding\) or 1/);
  });

  it('a full-precision Dense whose kernel is not -1/+1', () => {
    const path = editKeras(MLP_KERAS, (c) => { layer(c, 'quant_dense_2').config.kernel_quantizer = null; });
    expect(bnncError(() => loadModel(path)).message).toMatch(/layer "quant_dense_2" \(QuantDense\): full-precision kernel value [-0-9.e]+ at flat index \d+[\s\S]*every kernel value -1 or \+1/);
  });

  it('a hidden activation other than linear/softmax, and softmax before the end', () => {
    const relu = editKeras(MLP_KERAS, (c) => { layer(c, 'quant_dense').config.activation = 'relu'; });
    expect(bnncError(() => loadModel(relu)).message).toMatch(/layer "quant_dense" \(QuantDense\): activation "relu"\n {2}expected: linear, or softmax on the last layer/);
    const early = editKeras(MLP_KERAS, (c) => { layer(c, 'quant_dense').config.activation = 'softmax'; });
    expect(bnncError(() => loadModel(early)).message).toMatch(/activation "softmax"/);
  });
});

describe('malformed files give clear errors', () => {
  it('a weight the config implies is missing (.h5 and .keras)', () => {
    const h5 = editH5(CNN_H5, '"use_bias": false', '"use_bias": true ');
    expect(bnncError(() => loadModel(h5, MAPPING)).message).toMatch(/layer "quant_conv2d" \(QuantConv2D\): stores 1 weight\(s\) \(quant_conv2d\/kernel:0\)\n {2}expected: 2: kernel \[3, 3, 1, 32\], bias \[32\]/);
    const keras = editKeras(CNN_KERAS, (c) => { layer(c, 'quant_conv2d').config.use_bias = true; });
    expect(bnncError(() => loadModel(keras, MAPPING)).message).toMatch(/layer "quant_conv2d" \(QuantConv2D\): stores 1 variable\(s\) under "layers\/quant_conv2d\/vars"/);
  });

  it('a weight of the wrong shape (.h5 and .keras)', () => {
    const h5 = editH5(CNN_H5, '"filters": 32', '"filters": 31');
    expect(bnncError(() => loadModel(h5, MAPPING)).message).toMatch(
      /HDF5 "model_weights\/quant_conv2d\/quant_conv2d\/kernel:0": layer "quant_conv2d" \(QuantConv2D\): kernel has shape \[3, 3, 1, 32\]\n {2}expected: shape \[3, 3, 1, 31\]/);
    const keras = editKeras(CNN_KERAS, (c) => { layer(c, 'quant_dense').config.units = 65; });
    expect(bnncError(() => loadModel(keras, MAPPING)).message).toMatch(/model.weights.h5: HDF5 "layers\/quant_dense\/vars\/0": .*kernel has shape \[576, 64\]\n {2}expected: shape \[576, 65\]/);
  });

  it('a weights-only file and a file that is not HDF5', () => {
    const weightsOnly = editH5(CNN_H5, 'model_config', 'model_conf1g');
    expect(bnncError(() => loadModel(weightsOnly, MAPPING)).message).toMatch(/no model_config attribute[\s\S]*hint: save the model with model.save\("m.h5"\)/);
    const text = write(Buffer.from('{"not": "hdf5"}'), '.h5');
    expect(bnncError(() => loadModel(text)).message).toMatch(/not an HDF5 file/);
    const notZip = write(CNN_H5, '.keras');
    expect(bnncError(() => loadModel(notZip)).message).toMatch(/not a zip archive/);
  });

  it('absurd sizes in the config are refused before anything is allocated', () => {
    const path = editKeras(MLP_KERAS, (c) => { layer(c, 'quant_dense').config.units = 1e9; });
    expect(bnncError(() => loadModel(path)).message).toMatch(/units = 1000000000\n {2}expected: an integer from 1 to 65536/);
  });

  it('a .keras archive without its weights, or with a config that is not JSON', () => {
    const members = unzipSync(CNN_KERAS);
    delete members['model.weights.h5'];
    expect(bnncError(() => loadModel(write(zipSync(members), '.keras'))).message).toMatch(/the archive has no model.weights.h5/);
    const bad = unzipSync(CNN_KERAS);
    bad['config.json'] = strToU8('{"class_name": "Sequential", ');
    expect(bnncError(() => loadModel(write(zipSync(bad), '.keras'))).message).toMatch(/model config: invalid JSON/);
  });

  it('a .keras member that decompresses past BNNC_MAX_MODEL_MB is refused before it is inflated', () => {
    const members = unzipSync(CNN_KERAS);
    members['config.json'] = new Uint8Array(2 * 1024 * 1024).fill(0x20);
    const path = write(zipSync(members, { level: 9 }), '.keras');
    const saved = process.env.BNNC_MAX_MODEL_MB;
    process.env.BNNC_MAX_MODEL_MB = '1';
    try {
      const error = bnncError(() => loadModel(path));
      expect(error.message).toMatch(/member config\.json declares 2 MiB, more than the limit of 1 MiB for model files/);
      expect(error.message).toMatch(/BNNC_MAX_MODEL_MB=2/);
    } finally {
      if (saved === undefined) delete process.env.BNNC_MAX_MODEL_MB; else process.env.BNNC_MAX_MODEL_MB = saved;
    }
  });

  it('truncated files, at many lengths', () => {
    for (const [bytes, ext] of [[CNN_H5, '.h5'], [MLP_H5, '.h5'], [CNN_KERAS, '.keras']] as const) {
      for (const fraction of [0.001, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.999]) {
        const path = write(bytes.subarray(0, Math.floor(bytes.length * fraction)), ext);
        expect(bnncError(() => loadModel(path, MAPPING)).message).toContain(path);
      }
    }
  });

  it('random byte flips load or fail with a BnncError, never another error', () => {
    let seed = 12345;
    const next = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    for (let trial = 0; trial < 60; trial++) {
      const bytes = Uint8Array.from(MLP_H5);
      for (let k = 0; k < 4; k++) bytes[Math.floor(next() * bytes.length)] ^= 1 << Math.floor(next() * 8);
      const path = write(bytes, '.h5');
      try {
        runPasses(loadModel(path));
      } catch (error) {
        if (!(error instanceof BnncError)) throw new Error(`trial ${trial}: ${(error as Error)?.stack ?? String(error)}`);
      }
    }
  });
});

describe('Functional models', () => {
  /** Keras 3's inbound node: call arguments holding keras tensors that name their layer in keras_history. */
  const keras3Node = (inputs: string[]): unknown => ({ args: inputs.map((n) => ({ class_name: '__keras_tensor__', config: { shape: [null], dtype: 'float32', keras_history: [n, 0, 0] } })), kwargs: {} });
  /** tf.keras 2's inbound node: a list of [layer name, node index, tensor index, kwargs]. */
  const keras2Node = (inputs: string[]): unknown => inputs.map((n) => [n, 0, 0, {}]);

  /** The MLP's Sequential config rewritten as a Functional one. */
  function functional(config: Json, wire: (names: string[]) => string[][], node = keras3Node): void {
    const layers = config.config.layers as Json[];
    const names = layers.map((l) => l.config.name as string);
    const inputs = wire(names);
    layers.forEach((l, i) => {
      l.name = names[i];
      l.inbound_nodes = i === 0 ? [] : [node(inputs[i])];
    });
    config.class_name = 'Functional';
    config.config.input_layers = [[names[0], 0, 0]];
    config.config.output_layers = [[names[names.length - 1], 0, 0]];
  }

  it.each([['Keras 3', keras3Node], ['tf.keras 2', keras2Node]] as const)('a chain (%s inbound_nodes) imports exactly like the Sequential model', (_, node) => {
    const path = editKeras(MLP_KERAS, (c) => functional(c, (names) => names.map((__, i) => (i === 0 ? [] : [names[i - 1]])), node));
    expect(runPasses(loadModel(path)).layers).toEqual(runPasses(loadModel('examples/larq/mnist_mlp.keras')).layers);
  });

  it('a layer with two inputs (a residual connection) is refused', () => {
    const path = editKeras(MLP_KERAS, (c) => functional(c, (names) => names.map((_, i) => (i === 0 ? [] : i === 4 ? [names[3], names[1]] : [names[i - 1]]))));
    expect(bnncError(() => loadModel(path)).message).toMatch(/layer "batch_normalization" \(BatchNormalization\): layer reads 2 tensors \(quant_dense, rescaling\)[\s\S]*expected: a chain/);
  });
});
