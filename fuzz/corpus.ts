/**
 * The valid files the mutants start from: the bundled example models, their
 * `.bnn.json` conversions (inline and with a sidecar), and small data sets in
 * every format, cut from the bundled test data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../src/data/index.ts';
import { loadModel } from '../src/importers/index.ts';
import { toNativeJson } from '../src/importers/native.ts';
import { PROJECT_ROOT } from '../src/version.ts';
import type { FuzzFile } from './cases.ts';
import type { DataFormat, DataSeed } from './mutate/data.ts';

export interface ModelSeed {
  /** e.g. "mnist-cnn/model.onnx" */
  label: string;
  /** A data set the model verifies on (bundled with the examples). */
  data: string;
  file: FuzzFile;
  companions: FuzzFile[];
}

export interface Corpus {
  onnx: ModelSeed[];
  native: ModelSeed[];
  data: DataSeed[];
}

const EXAMPLES = ['mnist-mlp', 'mnist-cnn', 'wearable-motion'];
/** Samples per data seed: enough for labels and shapes to matter, small enough to verify fast. */
const SAMPLES = 8;

function exampleModel(name: string): string {
  return join(PROJECT_ROOT, 'examples', name, 'model.onnx');
}

function exampleData(name: string): string {
  return name === 'wearable-motion' ? join(PROJECT_ROOT, 'examples', 'wearable-motion', 'data', 'test.npz') : join(PROJECT_ROOT, 'examples', 'mnist-mlp', 'data');
}

function nativeSeeds(): ModelSeed[] {
  return EXAMPLES.flatMap((name) => {
    const model = loadModel(exampleModel(name));
    const inline = toNativeJson(model, null);
    const withSidecar = toNativeJson(model, 'model.bin');
    return [
      { label: `${name}/model.bnn.json`, data: exampleData(name), file: { name: 'model.bnn.json', bytes: new TextEncoder().encode(inline.json) }, companions: [] },
      {
        label: `${name}/model.bnn.json + sidecar`,
        data: exampleData(name),
        file: { name: 'model.bnn.json', bytes: new TextEncoder().encode(withSidecar.json) },
        companions: [{ name: 'model.bin', bytes: new Uint8Array(withSidecar.sidecar!) }],
      },
    ];
  });
}

/** The first SAMPLES samples of a bundled data set, as integer arrays with their original element type. */
function cut(path: string, inputDescr: string, labelDescr: string) {
  const data = loadDataset(path, { limit: SAMPLES });
  return {
    inputs: { descr: inputDescr, shape: [data.samples, ...data.shape], values: [...data.inputs] },
    labels: { descr: labelDescr, shape: [data.samples], values: [...data.labels!] },
  };
}

function dataSeeds(): DataSeed[] {
  const wearable = cut(join(PROJECT_ROOT, 'examples', 'wearable-motion', 'data', 'test.npz'), '|i1', '<i8');
  const mnist = cut(join(PROJECT_ROOT, 'examples', 'mnist-mlp', 'data'), '|u1', '|u1');
  const wearableModel = { path: exampleModel('wearable-motion'), classes: 4, features: 600 };
  const mnistModel = { path: exampleModel('mnist-mlp'), classes: 10, features: 784 };
  const seed = (base: string, format: DataFormat, gzip: boolean, d: typeof mnist, model: typeof mnistModel, labels = true): DataSeed =>
    ({ base, format, gzip, inputs: d.inputs, labels: labels ? d.labels : null, model });
  return [
    seed('wearable', 'npz', false, wearable, wearableModel),
    seed('wearable', 'npz', true, wearable, wearableModel),
    seed('wearable', 'npy', false, wearable, wearableModel, false),
    seed('wearable', 'csv', false, wearable, wearableModel),
    seed('wearable', 'csv', true, wearable, wearableModel),
    seed('mnist', 'idx-folder', true, mnist, mnistModel),
    seed('mnist', 'idx-folder', false, mnist, mnistModel),
    seed('t10k', 'idx-file', false, mnist, mnistModel, false),
    seed('mnist', 'npy', true, mnist, mnistModel, false),
  ];
}

export function buildCorpus(): Corpus {
  return {
    onnx: EXAMPLES.map((name) => ({ label: `${name}/model.onnx`, data: exampleData(name), file: { name: 'model.onnx', bytes: new Uint8Array(readFileSync(exampleModel(name))) }, companions: [] })),
    native: nativeSeeds(),
    data: dataSeeds(),
  };
}
