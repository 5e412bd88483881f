/** The native .bnn.json format: round trip (inline and sidecar) and errors that name the JSON path. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulate } from '../../src/emulator/index.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { readNativeModel, toNativeJson } from '../../src/importers/native.ts';
import { runPasses } from '../../src/passes/index.ts';
import { binaryCnn, binaryMlp, rng } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-native-'));
const onnxModel = importOnnx('mlp.onnx', {}, binaryMlp({ widths: [20, 33, 9, 4], seed: 7, input: 'uint8' }));
const cnnModel = importOnnx('cnn.onnx', {}, binaryCnn({ input: [1, 8, 8], convs: [{ out: 4, kernel: 3, pads: 1, poolAfter: true }], dense: [3], seed: 2, inputType: 'uint8' }));

function write(name: string, json: string, sidecar?: Buffer | null): string {
  const path = join(dir, name);
  writeFileSync(path, json);
  if (sidecar) writeFileSync(path.replace(/\.bnn\.json$/, '.bnn.bin'), sidecar);
  return path;
}

describe('.bnn.json', () => {
  for (const sidecar of [false, true]) {
    it(`round-trips to the same lowered model (${sidecar ? 'sidecar' : 'inline'} tensors)`, () => {
      const { json, sidecar: bin } = toNativeJson(onnxModel, sidecar ? 'mlp.bnn.bin' : null);
      const native = readNativeModel(write('mlp.bnn.json', json, bin));
      const a = runPasses(onnxModel);
      const b = runPasses(native);
      const next = rng(3);
      for (let s = 0; s < 50; s++) {
        const x = Array.from({ length: 20 }, () => Math.floor(next() * 256));
        expect(emulate(b, x)).toEqual(emulate(a, x));
      }
      expect(native.input).toEqual(onnxModel.input);
    });
  }

  const valid = JSON.parse(toNativeJson(onnxModel, null).json);
  const cases: [string, (doc: any) => void, RegExp, string][] = [
    ['wrong format id', (d) => { d.format = 'other'; }, /must be equal to constant/, '/format'],
    ['unknown input dtype', (d) => { d.input.dtype = 'int4'; }, /must be equal to one of the allowed values/, '/input/dtype'],
    ['missing layers', (d) => { delete d.layers; }, /must have required property 'layers'/, '(top level)'],
    ['unknown layer kind', (d) => { d.layers[1].kind = 'conv3d'; }, /kind/, '/layers/1'],
    ['weights of the wrong size', (d) => { d.layers[1].weight.length = 5; d.layers[1].weight.base64 = Buffer.alloc(20).toString('base64'); }, /weight has 5 values/, '/layers/1/weight'],
    ['shapes that do not chain', (d) => { d.layers[0].features = 21; }, /takes 21 features but receives 20/, '/layers/0'],
    ['base64 with characters Node\'s decoder would skip', (d) => { const b = d.layers[1].weight.base64; d.layers[1].weight.base64 = `${b.slice(0, 8)}\n*${b.slice(8)}`; }, /not canonical base64/, '/layers/1/weight/base64'],
    ['a feature count beyond the size limit', (d) => { d.input.shape = [1e9]; d.input.features = 1e9; }, /more than 16777216 elements/, '/input'],
    ['an input shape that does not give its feature count', (d) => { d.input.shape = [4, 4]; }, /input shape \[4,4\] holds 16 values, features says 20/, '/input'],
    ['a class count other than the last dense layer\'s outputs', (d) => { d.classes = 1000; }, /classes is 1000, the last dense layer .* has 4 outputs/, '/classes'],
    ['a sidecar path outside the model\'s folder', (d) => { d.sidecar = '../../etc/passwd'; }, /sidecar "..\/..\/etc\/passwd" is not a plain file name/, '/sidecar'],
  ];
  for (const [what, mutate, message, where] of cases) {
    it(`rejects ${what}, naming the path`, () => {
      const doc = structuredClone(valid);
      mutate(doc);
      const path = write('bad.bnn.json', JSON.stringify(doc));
      expect(() => readNativeModel(path)).toThrow(message);
      expect(() => readNativeModel(path)).toThrow(`${path}: ${where}`);
    });
  }

  const cnn = JSON.parse(toNativeJson(cnnModel, null).json);
  const convAt = cnn.layers.findIndex((l: any) => l.kind === 'conv2d');
  const poolAt = cnn.layers.findIndex((l: any) => l.kind === 'maxpool');
  const geometry: [string, (doc: any) => void, RegExp, number][] = [
    ['a stride beyond the int8_t field', (d) => { d.layers[convAt].stride = [200, 1]; }, /stride\[0\] = 200 is outside 1..127/, convAt],
    ['pads of 1e9 (beyond the int8_t field)', (d) => { d.layers[convAt].pads = [1e9, 1, 1, 1]; }, /pads\[0\] = 1000000000 is outside 0..127/, convAt],
    ['a pooling kernel of 1e9', (d) => { d.layers[poolAt].kernel = [1e9, 2]; }, /kernel\[0\] = 1000000000 is outside 1..127/, poolAt],
    ['an outShape the window does not give', (d) => { d.layers[convAt].outShape = [7, 8, 4]; }, /outShape \[7,8,4\] does not follow from inShape \[8,8,1\].*output height 8/, convAt],
    ['a pool that changes the channel count', (d) => { d.layers[poolAt].outShape = [4, 4, 5]; }, /pooling maps 4 channels to 5/, poolAt],
  ];
  for (const [what, mutate, message, at] of geometry) {
    it(`rejects ${what}, naming the layer`, () => {
      const doc = structuredClone(cnn);
      mutate(doc);
      const path = write('bad-cnn.bnn.json', JSON.stringify(doc));
      expect(() => readNativeModel(path)).toThrow(message);
      expect(() => readNativeModel(path)).toThrow(`${path}: /layers/${at}`);
    });
  }

  it('reads the unmodified CNN (the geometry checks accept real windows)', () => {
    const path = write('cnn.bnn.json', JSON.stringify(cnn));
    expect(runPasses(readNativeModel(path)).layers.map((l) => l.kind)).toContain('conv2d_int_b1');
  });

  it('rejects text that is not JSON', () => {
    const path = write('text.bnn.json', '{ "format": ');
    expect(() => readNativeModel(path)).toThrow(/not valid JSON/);
  });

  it('rejects NaN in tensors', () => {
    const doc = structuredClone(valid);
    const w = Buffer.from(doc.layers[1].weight.base64, 'base64');
    w.writeFloatLE(NaN, 8);
    doc.layers[1].weight.base64 = w.toString('base64');
    const path = write('nan.bnn.json', JSON.stringify(doc));
    expect(() => readNativeModel(path)).toThrow(/\/layers\/1\/weight: value 2 is NaN/);
  });

  it('names a missing sidecar file', () => {
    const { json } = toNativeJson(onnxModel, 'gone.bnn.bin');
    const path = write('gone.bnn.json', json);
    expect(() => readNativeModel(path)).toThrow(/sidecar file gone.bnn.bin is missing/);
    expect(readFileSync(path, 'utf8')).toContain('"sidecar": "gone.bnn.bin"');
  });
});
