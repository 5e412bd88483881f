/**
 * The float reference (L0) a verification compares with: onnxruntime-node for
 * standard ONNX graphs, bnnc's own ONNX interpreter for graphs with custom ops
 * (QONNX, FINN), and the float IR interpreter for native .bnn.json files.
 * Each returns, per sample, every binary activation (the sign outputs, in
 * order), the value the sign saw, and the logits.
 */
import { readInputFile } from '../files/read.ts';
import { nodeLabel } from '../importers/onnx/import.ts';
import { normalizeDomain } from '../importers/onnx/ops/index.ts';
import { readModelProto, type ModelProto } from '../importers/onnx/proto.ts';
import type { Hwc, LoweredModel, Model } from '../ir/types.ts';
import { outputShape } from '../ops/registry.ts';
import { runFloatIr } from './floatIr.ts';
import { OnnxInterpreter } from './interpreter.ts';
import { OnnxRuntimeReference } from './onnxruntime.ts';

export interface ReferenceSample {
  /**
   * Per lowered layer before the scores (sign outputs, binary max-pools): the
   * layer's output values (-1, 0, +1) and the value its sign saw, in bnnc's
   * feature order (NHWC for spatial tensors).
   */
  layers: { pre: Float64Array; out: Float64Array }[];
  logits: Float64Array;
}

export interface Reference {
  /** What computes the reference, for the report. */
  engine: 'onnxruntime' | 'bnnc-onnx-interpreter' | 'bnnc-float-ir';
  run(input: Float64Array): Promise<ReferenceSample>;
}

/** The source node whose output a lowered layer reproduces: its last source (the sign, or the max-pool). */
function probeNames(proto: ModelProto, lowered: LoweredModel): { layers: { pre: string; out: string }[]; logits: string } {
  const nodes = proto.graph!.node ?? [];
  const byLabel = new Map(nodes.map((n, i) => [nodeLabel(n, i), n]));
  const layers = lowered.layers.slice(0, -1).map((l) => {
    const node = byLabel.get(l.sources[l.sources.length - 1])!;
    return { pre: node.input![0], out: node.output![0] };
  });
  const terminal = nodes.find((n) => n.opType === 'ArgMax' || n.opType === 'TopK');
  const logits = terminal ? terminal.input![0] : proto.graph!.output![0].name!;
  return { layers, logits };
}

/** ONNX tensors are NCHW; bnnc's spatial activations are NHWC. */
function toBnncOrder(values: Float64Array, shape: Hwc): Float64Array {
  const [h, w, c] = shape;
  if (c === 1 || h * w === 1 || values.length !== h * w * c) return values;
  const out = new Float64Array(values.length);
  for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) out[p * c + ch] = values[ch * h * w + p];
  return out;
}

export async function createReference(model: Model, lowered: LoweredModel): Promise<Reference> {
  const dims = [1, ...model.input.shape];
  if (model.sourceFormat !== 'onnx') {
    const byName = lowered.layers.slice(0, -1).map((l) => l.sources[l.sources.length - 1]);
    return {
      engine: 'bnnc-float-ir',
      run: async (input) => {
        const r = runFloatIr(model, input);
        return { layers: byName.map((name) => r.outputs.get(name)!), logits: r.logits };
      },
    };
  }
  const proto = readModelProto(model.sourcePath, readInputFile(model.sourcePath, 'model', 'the model file read at import'));
  const names = probeNames(proto, lowered);
  const wanted = [...names.layers.flatMap((s) => [s.pre, s.out]), names.logits];
  const shapes = lowered.layers.slice(0, -1).map(outputShape);
  const toSample = (values: Map<string, Float64Array>): ReferenceSample => ({
    layers: names.layers.map((s, l) => ({ pre: toBnncOrder(values.get(s.pre)!, shapes[l]), out: toBnncOrder(values.get(s.out)!, shapes[l]) })),
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
