/**
 * The float reference (L0) a verification compares with: onnxruntime-node for
 * standard ONNX graphs, bnnc's own ONNX interpreter for graphs with custom ops
 * (QONNX, FINN), and the float IR interpreter for native .bnn.json files.
 * Each returns, per sample, every binary activation (the sign outputs, in
 * order), the value the sign saw, and the logits.
 */
import { readFileSync } from 'node:fs';
import { nodeLabel } from '../importers/onnx/import.ts';
import { normalizeDomain } from '../importers/onnx/ops/index.ts';
import { readModelProto, type ModelProto } from '../importers/onnx/proto.ts';
import type { Model } from '../ir/types.ts';
import { runFloatIr } from './floatIr.ts';
import { OnnxInterpreter } from './interpreter.ts';
import { OnnxRuntimeReference } from './onnxruntime.ts';

export interface ReferenceSample {
  /** Per sign (= per binary activation layer): the value before the sign and the sign's output (-1, 0, +1). */
  signs: { pre: Float64Array; out: Float64Array }[];
  logits: Float64Array;
}

export interface Reference {
  /** What computes the reference, for the report. */
  engine: 'onnxruntime' | 'bnnc-onnx-interpreter' | 'bnnc-float-ir';
  run(input: Float64Array): Promise<ReferenceSample>;
}

/** Tensor names of every sign's input/output and of the logits, in network order. */
function probeNames(proto: ModelProto, model: Model): { signs: { pre: string; out: string }[]; logits: string } {
  const nodes = proto.graph!.node ?? [];
  const byLabel = new Map(nodes.map((n, i) => [nodeLabel(n, i), n]));
  const signs = model.layers.filter((l) => l.kind === 'sign').map((l) => {
    const node = byLabel.get(l.name)!;
    return { pre: node.input![0], out: node.output![0] };
  });
  const terminal = nodes.find((n) => n.opType === 'ArgMax' || n.opType === 'TopK');
  const logits = terminal ? terminal.input![0] : proto.graph!.output![0].name!;
  return { signs, logits };
}

export async function createReference(model: Model): Promise<Reference> {
  const dims = [1, ...model.input.shape];
  if (model.sourceFormat !== 'onnx') {
    return { engine: 'bnnc-float-ir', run: async (input) => runFloatIr(model, input) };
  }
  const proto = readModelProto(model.sourcePath, readFileSync(model.sourcePath));
  const names = probeNames(proto, model);
  const wanted = [...names.signs.flatMap((s) => [s.pre, s.out]), names.logits];
  const toSample = (values: Map<string, Float64Array>): ReferenceSample => ({
    signs: names.signs.map((s) => ({ pre: values.get(s.pre)!, out: values.get(s.out)! })),
    logits: values.get(names.logits)!,
  });
  const custom = (proto.graph!.node ?? []).some((n) => normalizeDomain(n.domain) !== '');
  if (custom) {
    const interpreter = new OnnxInterpreter(proto, model.sourcePath, dims);
    return { engine: 'bnnc-onnx-interpreter', run: async (input) => toSample(interpreter.run(input, wanted)) };
  }
  const ort = await OnnxRuntimeReference.create(proto, dims, wanted);
  return { engine: 'onnxruntime', run: async (input) => toSample(await ort.run(input, wanted)) };
}
