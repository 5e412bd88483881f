/**
 * Issue 9 item 7: bnnc compiles exactly the graph's declared output or refuses,
 * naming it: an output naming a middle tensor (the graph truncated after a
 * batch-norm with the later nodes left in), an unknown tensor, or no output.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BnncError } from '../../src/errors.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { onnx } from '../../src/importers/onnx/proto.ts';
import { runPasses } from '../../src/passes/index.ts';
import { binaryMlp } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-outputs-'));

/** A 16-64-4 binary MLP whose declared outputs are replaced by `outputs`, optionally with a final ArgMax. */
function mlpWithOutputs(name: string, outputs: string[], argmax = false): string {
  const proto = onnx.ModelProto.decode(binaryMlp({ widths: [16, 64, 4], seed: 3, input: 'uint8' }));
  const graph = proto.graph!;
  if (argmax) graph.node!.push(onnx.NodeProto.create({ opType: 'ArgMax', input: ['bn1'], output: ['label'], name: 'argmax', attribute: [{ name: 'axis', type: 2, i: 1 }] }));
  graph.output = outputs.map((o) => onnx.ValueInfoProto.create({ name: o, type: { tensorType: { elemType: 1 } } }));
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, onnx.ModelProto.encode(proto).finish());
  return path;
}

function importError(path: string): BnncError {
  try {
    importOnnx(path);
  } catch (e) {
    if (e instanceof BnncError) return e;
    throw e;
  }
  throw new Error(`${path} imported without error`);
}

describe('declared graph outputs', () => {
  it('the last activation as output: 4 classes', () => {
    expect(runPasses(importOnnx(mlpWithOutputs('ok', ['bn1']))).classes).toBe(4);
  });

  it('the logits of a final ArgMax, or both, are accepted', () => {
    expect(runPasses(importOnnx(mlpWithOutputs('logits', ['bn1'], true))).classes).toBe(4);
    expect(runPasses(importOnnx(mlpWithOutputs('both', ['label', 'bn1'], true))).classes).toBe(4);
  });

  it('truncated after the hidden batch-norm (later nodes left in): refused, naming the output', () => {
    const e = importError(mlpWithOutputs('middle', ['bn0']));
    expect(e.message).toMatch(/middle\.onnx: graph output "bn0": graph output "bn0" is not the network's last activation "bn1"/);
    expect(e.message).toMatch(/node "BatchNormalization_\d+" produces it and \d+ node\(s\) after it would be compiled too/);
    expect(e.message).toMatch(/expected: exactly one declared output, the last node's output "bn1"/);
  });

  it('an output no node produces: refused', () => {
    expect(importError(mlpWithOutputs('unknown', ['probabilities'])).message).toMatch(/graph output "probabilities" is not .*no node produces it/);
  });

  it('an extra output beside the right one: refused', () => {
    expect(importError(mlpWithOutputs('extra', ['bn1', 'act0'])).message).toMatch(/graph output "act0"/);
  });

  it('no declared output: refused', () => {
    const e = importError(mlpWithOutputs('none', []));
    expect(e.message).toMatch(/none\.onnx: the graph declares no output/);
    expect(e.message).toMatch(/expected: one graph output: the network's last activation "bn1"/);
  });
});
