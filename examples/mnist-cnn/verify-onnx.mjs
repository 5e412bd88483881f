#!/usr/bin/env node
// Runs model.onnx with onnxruntime-node on the official MNIST test set
// (datasets/mnist-test/ in the repository), one image
// at a time as the device would, and prints the top-1 accuracy.
//
//   node examples/mnist-cnn/verify-onnx.mjs [model.onnx] [--expect CORRECT]
//
// --expect N: exit with status 1 unless exactly N of the 10,000 images are
// classified correctly (train.py passes PyTorch's count).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let expect = null;
const ei = args.indexOf('--expect');
if (ei >= 0) {
  expect = Number(args[ei + 1]);
  if (!Number.isInteger(expect)) throw new Error('--expect needs an integer count');
  args.splice(ei, 2);
}
const modelPath = resolve(args[0] ?? join(here, 'model.onnx'));
const testDir = join(here, '..', '..', 'datasets', 'mnist-test');

function readIdx(path) {
  const buf = gunzipSync(readFileSync(path));
  const ndim = buf[3];
  const dims = Array.from({ length: ndim }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * ndim, dims.reduce((a, b) => a * b, 1)) };
}

const images = readIdx(join(testDir, 't10k-images-idx3-ubyte.gz'));
const labels = readIdx(join(testDir, 't10k-labels-idx1-ubyte.gz'));
const session = await ort.InferenceSession.create(modelPath);
const [n] = images.dims;
let correct = 0;
const perClass = new Array(10).fill(0);
const perClassN = new Array(10).fill(0);
for (let i = 0; i < n; i++) {
  const px = Float32Array.from(images.data.subarray(i * 784, (i + 1) * 784));
  const out = await session.run({ input: new ort.Tensor('float32', px, [1, 1, 28, 28]) });
  const logits = out.logits.data;
  let best = 0;
  for (let c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
  perClassN[labels.data[i]]++;
  if (best === labels.data[i]) {
    correct++;
    perClass[best]++;
  }
}
console.log(`onnxruntime-node ${modelPath}: ${correct}/${n} correct, accuracy ${(correct / n).toFixed(4)}`);
console.log(`per digit: ${perClass.map((c, d) => `${d}:${((100 * c) / perClassN[d]).toFixed(1)}%`).join(' ')}`);
if (expect !== null) {
  if (correct !== expect) {
    console.error(`MISMATCH: expected ${expect} correct (PyTorch), onnxruntime gives ${correct}`);
    process.exit(1);
  }
  console.log(`equal to the expected count ${expect} (PyTorch)`);
}
