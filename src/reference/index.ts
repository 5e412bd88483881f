/**
 * The float reference (L0) a verification compares with: onnxruntime-node for
 * standard ONNX graphs and for QONNX/FINN graphs once their BipolarQuant and
 * MultiThreshold nodes are rewritten as standard nodes (standardGraph.ts),
 * bnnc's own ONNX interpreter for graphs with other custom ops and when
 * onnxruntime-node (an optional dependency) is missing or not wanted, and the float IR interpreter for
 * native .bnn.json files, and the Larq interpreter of the Keras layers for
 * .h5/.keras models (larq.ts).
 * Each returns, per sample, every binary activation (the sign outputs, in
 * order), the value the sign saw, and the logits.
 */
import { BnncError } from '../errors.ts';
import { findInputMapping, mapDeviceInput } from '../importers/inputMapping.ts';
import { nodeLabel } from '../importers/onnx/import.ts';
import { normalizeDomain } from '../importers/onnx/ops/index.ts';
import { readModelProto, type ModelProto } from '../importers/onnx/proto.ts';
import type { Hwc, LoweredModel, Model } from '../ir/types.ts';
import { outputShape } from '../ops/registry.ts';
import { runFloatIr } from './floatIr.ts';
import { readSourceAgain } from './sourceFile.ts';
import { createLarqReference } from './larq.ts';
import { OnnxInterpreter } from './interpreter.ts';
import { loadOnnxRuntime, OnnxRuntimeReference, type Ort } from './onnxruntime.ts';
import { standardizeCustomOps } from './standardGraph.ts';

export interface ReferenceSample {
  /**
   * Per lowered layer before the scores (sign outputs, binary max-pools): the
   * layer's output values (-1, 0, +1) and the value its sign saw, in bnnc's
   * feature order (NHWC for spatial tensors).
   */
  layers: { pre: Float64Array; out: Float64Array }[];
  logits: Float64Array;
}

export type ReferenceEngine = 'onnxruntime' | 'bnnc-onnx-interpreter' | 'bnnc-float-ir' | 'bnnc-larq-interpreter';

/**
 * Which float reference runs standard ONNX graphs: `auto` (onnxruntime when it
 * loads, else bnnc's interpreter), or one of them. Custom-op graphs and
 * .bnn.json files always use bnnc's interpreters.
 */
export type ReferenceChoice = 'auto' | 'onnxruntime' | 'interpreter';

export interface Reference {
  /** What computes the reference, for the report. */
  engine: ReferenceEngine;
  /** Why this engine and not onnxruntime, when onnxruntime was the default (else null). */
  note: string | null;
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

function mapDeviceInputs(model: Model): (input: Float64Array) => Float64Array {
  const map = mapDeviceInput(model.layers);
  return (input) => input.map(map);
}

export async function createReference(model: Model, lowered: LoweredModel, choice: ReferenceChoice = 'auto',
  load: () => { ort: Ort } | { unavailable: string } = loadOnnxRuntime): Promise<Reference> {
  const dims = [1, ...model.input.shape];
  if (model.sourceFormat === 'keras-h5' || model.sourceFormat === 'keras') return createLarqReference(model, lowered);
  if (model.sourceFormat !== 'onnx') {
    const byName = lowered.layers.slice(0, -1).map((l) => l.sources[l.sources.length - 1]);
    return {
      engine: 'bnnc-float-ir',
      note: null,
      run: async (input) => {
        const r = runFloatIr(model, input);
        return { layers: byName.map((name) => r.outputs.get(name)!), logits: r.logits };
      },
    };
  }
  const proto = readModelProto(model.sourcePath, readSourceAgain(model));
  const names = probeNames(proto, lowered);
  const wanted = [...names.layers.flatMap((s) => [s.pre, s.out]), names.logits];
  const shapes = lowered.layers.slice(0, -1).map(outputShape);
  const toSample = (values: Map<string, Float64Array>): ReferenceSample => ({
    layers: names.layers.map((s, l) => ({ pre: toBnncOrder(values.get(s.pre)!, shapes[l]), out: toBnncOrder(values.get(s.out)!, shapes[l]) })),
    logits: values.get(names.logits)!,
  });
  // A declared input quantization (bnnc.input_scale or --input-scale) is not in the graph: the device value becomes the model input first.
  const toModelInput = findInputMapping(model.layers) ? mapDeviceInputs(model) : (input: Float64Array) => input;
  const interpreter = (note: string | null): Reference => {
    const it = new OnnxInterpreter(proto, model.sourcePath, dims);
    return { engine: 'bnnc-onnx-interpreter', note, run: async (input) => toSample(it.run(toModelInput(input), wanted)) };
  };
  if (choice === 'interpreter') return interpreter('chosen with --reference-engine interpreter');
  const custom = (proto.graph!.node ?? []).some((n) => normalizeDomain(n.domain) !== '');
  const graph = custom ? standardizeCustomOps(proto, model.sourcePath, tensorRanks(proto, model.sourcePath, dims)) : proto;
  if (!graph) return interpreter(null);
  const loaded = load();
  if ('unavailable' in loaded) {
    if (choice === 'onnxruntime') {
      throw new BnncError(`the float reference onnxruntime is not available: ${loaded.unavailable}`, {
        file: model.sourcePath, expected: 'onnxruntime-node installed beside bnnc',
        hint: 'install it (npm install onnxruntime-node), or use --reference-engine auto or interpreter',
      });
    }
    return interpreter(loaded.unavailable);
  }
  const ort = await OnnxRuntimeReference.create(loaded.ort, graph, dims, wanted);
  return { engine: 'onnxruntime', note: null, run: async (input) => toSample(await ort.run(toModelInput(input), wanted)) };
}

/** Ranks of the graph's tensors, from one interpreter run on a zero input (computed once, when first asked). */
function tensorRanks(proto: ModelProto, file: string, dims: number[]): (tensor: string) => number {
  let values: Map<string, number> | null = null;
  return (tensor) => {
    if (!values) {
      const it = new OnnxInterpreter(proto, file, dims);
      const all = it.runAll(new Float64Array(dims.reduce((a, b) => a * b, 1)));
      values = new Map([...all].map(([name, t]) => [name, t.dims.length]));
    }
    return values.get(tensor) ?? 0;
  };
}
