/**
 * Float reference interpreter (L0 for graphs onnxruntime cannot run, such as
 * QONNX/FINN custom ops): evaluates every node with its handler's `evaluate`,
 * the op's float semantics, independent of the lowering passes.
 */
import { BnncError } from '../errors.ts';
import { nodeLabel } from '../importers/onnx/import.ts';
import { findHandler } from '../importers/onnx/ops/index.ts';
import { decodeAttributes, decodeTensor, type ConstTensor, type ModelProto } from '../importers/onnx/proto.ts';

export class OnnxInterpreter {
  private readonly consts = new Map<string, ConstTensor>();
  private readonly inputName: string;

  constructor(private readonly model: ModelProto, private readonly file: string, private readonly inputDims: number[]) {
    for (const init of model.graph!.initializer ?? []) this.consts.set(init.name ?? '', decodeTensor(init, file));
    this.inputName = (model.graph!.input ?? []).find((vi) => !this.consts.has(vi.name ?? ''))?.name ?? '';
  }

  /** Runs one sample and returns the requested tensors (flattened). */
  run(input: Float64Array, wanted: readonly string[]): Map<string, Float64Array> {
    const values = new Map<string, ConstTensor>(this.consts);
    values.set(this.inputName, { dims: this.inputDims, data: input.map(Math.fround), isFloat: true });
    (this.model.graph!.node ?? []).forEach((node, index) => {
      const handler = findHandler(node.domain, node.opType ?? '');
      if (!handler?.evaluate) {
        throw new BnncError(`the float reference cannot evaluate ${node.opType}`, { file: this.file, where: `node "${nodeLabel(node, index)}"` });
      }
      const inputs = (node.input ?? []).map((n) => (n === '' ? null : values.get(n) ?? null));
      const attrs = decodeAttributes(node, this.file);
      const outs = handler.evaluate({ file: this.file, node, label: nodeLabel(node, index), attrs, inputs });
      (node.output ?? []).forEach((name, i) => { if (outs[i]) values.set(name, outs[i]); });
    });
    return new Map(wanted.map((name) => [name, values.get(name)?.data ?? new Float64Array(0)]));
  }
}
