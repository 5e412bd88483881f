// A FINN-style 784-1024-1024-1024-10 binary MLP (3 M parameters) for timing verify (issue 15):
// the vendored FINN TFC graph (MultiThreshold, BatchNormalization, TopK) with its tensors resized
// and random +-1 weights and batch-norm statistics. Writes bench/.cache/finn-mlp-1024.onnx.
// Run after `npm run build`:  node bench/finn-mlp-1024.mjs
//   then: node bin/bnnc.mjs verify bench/.cache/finn-mlp-1024.onnx --data datasets/mnist-test [--no-reference]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onnx } from '../dist/importers/onnx/proto.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const model = onnx.ModelProto.decode(readFileSync(join(root, 'examples/peer-models/finn-tfc-w1a1/model.onnx')));
let state = 12345;
const random = () => { state ^= state << 13; state >>>= 0; state ^= state >>> 17; state ^= state << 5; state >>>= 0; return state / 2 ** 32; };
const HIDDEN = 1024;
// BatchNormalization_k_param0..3: scale, bias, mean, var.
const BN = { param0: () => 0.5 + random(), param1: () => random() - 0.5, param2: () => (random() - 0.5) * 20, param3: () => 500 + 1000 * random() };
for (const t of model.graph.initializer) {
  let dims;
  let value;
  if (t.name.startsWith('MatMul_')) {
    dims = [Number(t.dims[0]) === 784 ? 784 : HIDDEN, Number(t.dims[1]) === 10 ? 10 : HIDDEN];
    value = () => (random() < 0.5 ? -1 : 1);
  } else if (t.name.startsWith('BatchNormalization_')) {
    dims = [HIDDEN];
    value = BN[t.name.split('_').at(-1)];
  } else continue;
  t.dims = dims;
  t.rawData = new Uint8Array(Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, value).buffer);
  t.floatData = [];
}
model.graph.valueInfo = []; // the old 64-wide shapes
const out = join(root, 'bench/.cache/finn-mlp-1024.onnx');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, onnx.ModelProto.encode(model).finish());
console.log(`wrote ${out}`);
