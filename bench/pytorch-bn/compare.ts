/**
 * PyTorch's eval-mode batch-norm against onnxruntime's, channel by channel.
 * Usage: npx tsx bench/pytorch-bn/compare.ts OUT.json  (OUT.json from torch_bn.py)
 * Prints, per width, how many channels get a different sign (or value) for some dot.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { onnx } from '../../src/importers/onnx/proto.ts';

type Ort = typeof import('onnxruntime-node');
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;

interface Group { n: number; channels: number[][]; y: number[][] }

function batchNormModel(channels: number[][]): Uint8Array {
  const c = channels.length;
  const tensor = (name: string, i: number) => ({ name, dims: [c], dataType: 1, floatData: channels.map((p) => p[i]) });
  const io = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: c }] } } } });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'bn', input: [io('x')], output: [io('y')], initializer: ['g', 'b', 'm', 'v'].map(tensor),
      node: [{ opType: 'BatchNormalization', input: ['x', 'g', 'b', 'm', 'v'], output: ['y'], attribute: [{ name: 'epsilon', type: 1, f: 1e-5 }] }],
    },
  })).finish();
}

const data = JSON.parse(readFileSync(process.argv[2], 'utf8')) as { mode: string; torch: string; groups: Group[] };
const total = { channels: 0, sign: 0, opposite: 0, value: 0, points: 0, valuePoints: 0 };
for (const g of data.groups) {
  const c = g.channels.length;
  const session = await ort.InferenceSession.create(batchNormModel(g.channels), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const sign = new Set<number>();
  const opposite = new Set<number>();
  const value = new Set<number>();
  for (let k = 0; k <= g.n; k++) {
    const x = new ort.Tensor('float32', new Float32Array(c).fill(-g.n + 2 * k), [1, c]);
    const y = (await session.run({ x })).y.data as Float32Array;
    for (let o = 0; o < c; o++) {
      total.points++;
      if (Math.sign(g.y[o][k]) !== Math.sign(y[o])) sign.add(o);
      if (Math.sign(g.y[o][k]) * Math.sign(y[o]) < 0) opposite.add(o); // +1 against -1, not a zero against a sign
      if (Math.fround(g.y[o][k]) !== y[o]) { value.add(o); total.valuePoints++; }
    }
  }
  total.channels += c; total.sign += sign.size; total.opposite += opposite.size; total.value += value.size;
  console.log(`n=${g.n}: sign differs on ${sign.size}/${c} channels (opposite signs on ${opposite.size}), value on ${value.size}/${c}`);
}
console.log(`${data.mode} (torch ${data.torch}): ${total.channels} channels, ${total.points} (channel, dot) points; `
  + `sign differs on ${total.sign} channels (${((100 * total.sign) / total.channels).toFixed(2)} %), `
  + `opposite non-zero signs on ${total.opposite} (${((100 * total.opposite) / total.channels).toFixed(2)} %); `
  + `value differs on ${total.value} channels, ${total.valuePoints} points (${((100 * total.valuePoints) / total.points).toFixed(2)} %)`);
