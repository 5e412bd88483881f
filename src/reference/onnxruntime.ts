/**
 * onnxruntime-node as the float reference (L0) for standard ONNX graphs, run
 * with graph optimisations disabled so every node is evaluated as written. The
 * tensors bnnc compares (each sign's input and output, the logits) are added
 * as extra graph outputs so one run returns them all. onnxruntime-node is an
 * optional dependency: `loadOnnxRuntime` says why it is unavailable, and the
 * caller then uses bnnc's own interpreter.
 */
import { createRequire } from 'node:module';
import { onnx, type ModelProto } from '../importers/onnx/proto.ts';

const require = createRequire(import.meta.url);
export type Ort = typeof import('onnxruntime-node');

/** onnxruntime-node, or why it cannot be used (not installed, or its native binary does not load here). */
export function loadOnnxRuntime(): { ort: Ort } | { unavailable: string } {
  try {
    return { ort: require('onnxruntime-node') as Ort };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND' && err.message.includes("'onnxruntime-node'")) return { unavailable: 'onnxruntime-node is not installed' };
    return { unavailable: `onnxruntime-node does not load (${err.message.split('\n')[0]})` };
  }
}

export class OnnxRuntimeReference {
  private constructor(
    private readonly ort: Ort,
    private readonly session: import('onnxruntime-node').InferenceSession,
    private readonly inputName: string,
    private readonly inputDims: number[],
  ) {}

  static async create(ort: Ort, model: ModelProto, inputDims: number[], wanted: readonly string[]): Promise<OnnxRuntimeReference> {
    const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
    const graph = copy.graph!;
    const existing = new Set((graph.output ?? []).map((o) => o.name));
    for (const name of wanted) {
      if (!existing.has(name)) (graph.output ??= []).push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1 } } }));
    }
    const inits = new Set((graph.initializer ?? []).map((i) => i.name));
    const inputName = (graph.input ?? []).find((i) => !inits.has(i.name))!.name!;
    // The graph as written: the default optimisations fuse MatMul/Conv + BatchNormalization into the
    // weights (other roundings than the graph's own ops), which is not the model bnnc folds.
    const session = await ort.InferenceSession.create(onnx.ModelProto.encode(copy).finish(), {
      intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'disabled',
    });
    return new OnnxRuntimeReference(ort, session, inputName, inputDims);
  }

  async run(input: Float64Array, wanted: readonly string[]): Promise<Map<string, Float64Array>> {
    const tensor = new this.ort.Tensor('float32', Float32Array.from(input), this.inputDims);
    const result = await this.session.run({ [this.inputName]: tensor }, [...wanted]);
    return new Map(wanted.map((name) => [name, Float64Array.from(result[name].data as Float32Array)]));
  }
}
