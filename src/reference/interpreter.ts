/**
 * Float reference interpreter (L0 for graphs onnxruntime cannot run, such as
 * QONNX/FINN custom ops): evaluates every node with its handler's `evaluate`,
 * the op's float semantics, independent of the lowering passes.
 */
import { BnncError } from '../errors.ts';
import { nodeLabel } from '../importers/onnx/import.ts';
import { findHandler } from '../importers/onnx/ops/index.ts';
import { decodeAttributes, decodeTensor, type ConstTensor, type ModelProto, type NodeProto } from '../importers/onnx/proto.ts';

/** The graph's initializers, decoded, by name. */
export function graphInitializers(model: ModelProto, file: string): Map<string, ConstTensor> {
  return new Map((model.graph!.initializer ?? []).map((t) => [t.name ?? '', decodeTensor(t, file)]));
}

/** Evaluates one node on the values computed so far and stores its outputs. */
function evaluateNode(node: NodeProto, index: number, file: string, values: Map<string, ConstTensor>): void {
  const handler = findHandler(node.domain, node.opType ?? '');
  if (!handler?.evaluate) {
    throw new BnncError(`the float reference cannot evaluate ${node.opType}`, { file, where: `node "${nodeLabel(node, index)}"` });
  }
  const inputs = (node.input ?? []).map((n) => (n === '' ? null : values.get(n) ?? null));
  const attrs = decodeAttributes(node, file);
  const outs = handler.evaluate({ file, node, label: nodeLabel(node, index), attrs, inputs });
  (node.output ?? []).forEach((name, i) => { if (name !== '' && outs[i]) values.set(name, outs[i]); });
}

/**
 * Evaluates the nodes of `model`'s graph in order, starting from `seed`
 * (initializers and graph inputs by name). Returns every value the graph defines.
 */
export function evaluateGraph(model: ModelProto, file: string, seed: ReadonlyMap<string, ConstTensor>): Map<string, ConstTensor> {
  const values = new Map(seed);
  (model.graph!.node ?? []).forEach((node, index) => evaluateNode(node, index, file, values));
  return values;
}

export class OnnxInterpreter {
  private readonly consts: Map<string, ConstTensor>;
  private readonly inputName: string;
  /** The nodes that depend on the input, with their index in the graph; the others are evaluated once, here. */
  private readonly dynamic: { node: NodeProto; index: number }[] = [];

  constructor(model: ModelProto, private readonly file: string, private readonly inputDims: number[]) {
    this.consts = graphInitializers(model, file);
    this.inputName = (model.graph!.input ?? []).find((vi) => !this.consts.has(vi.name ?? ''))?.name ?? '';
    // Nodes whose inputs are all constant (weight quantizers, transposes, shape arithmetic) give the same
    // values for every sample: evaluate them once (the same evaluation, not repeated per sample).
    const varying = new Set([this.inputName]);
    (model.graph!.node ?? []).forEach((node, index) => {
      if ((node.input ?? []).some((n) => varying.has(n))) {
        this.dynamic.push({ node, index });
        for (const out of node.output ?? []) varying.add(out);
      } else {
        evaluateNode(node, index, file, this.consts);
      }
    });
  }

  /** Runs one sample and returns every tensor of the graph. */
  runAll(input: Float64Array): Map<string, ConstTensor> {
    const feed: ConstTensor = { dims: this.inputDims, data: input.map(Math.fround), isFloat: true };
    const values = new Map(this.consts).set(this.inputName, feed);
    for (const { node, index } of this.dynamic) evaluateNode(node, index, this.file, values);
    return values;
  }

  /** Runs one sample and returns the requested tensors (flattened). */
  run(input: Float64Array, wanted: readonly string[]): Map<string, Float64Array> {
    const values = this.runAll(input);
    return new Map(wanted.map((name) => [name, values.get(name)?.data ?? new Float64Array(0)]));
  }
}
