/** The native .bnn.json format: round trip (inline and sidecar) and errors that name the JSON path. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulate } from '../../src/emulator/index.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { readNativeModel, toNativeJson } from '../../src/importers/native.ts';
import { runPasses } from '../../src/passes/index.ts';
import { binaryMlp, rng } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-native-'));
const onnxModel = importOnnx('mlp.onnx', {}, binaryMlp({ widths: [20, 33, 9, 4], seed: 7, input: 'uint8' }));

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
