/**
 * ONNX importer: walks the graph once in topological order. Nodes whose inputs
 * are all constant are evaluated (shape subgraphs, Sign of weights, ...); the
 * remaining nodes form the chain that the running activation flows through,
 * and each is translated into IR layers by its handler in ./ops/.
 * The importer only translates; folding into integers is the passes' work.
 */
import { createHash } from 'node:crypto';
import { readInputFile } from '../../files/read.ts';
import { basename, dirname, resolve } from 'node:path';
import { BnncError } from '../../errors.ts';
import type { FloatLayer, InputDType, InputSpec, Model } from '../../ir/types.ts';
import type { LowerContext, NodeInfo, PendingPad } from './op.ts';
import { inputMappingLayer, mappedInputType, type DeclaredInputMapping } from '../inputMapping.ts';
import { dimsProblem, SizeLimitError } from '../limits.ts';
import { nodeError } from './common.ts';
import { findHandler, normalizeDomain } from './ops/index.ts';
import {
  decodeAttributes, decodeTensor, readModelProto, toNumber,
  type ConstTensor, type ModelProto, type NodeProto, type ValueInfoProto,
} from './proto.ts';
import { numel } from './tensor.ts';

export interface OnnxImportOptions {
  /** Device input type; overrides the model's `bnnc.input_type` metadata. */
  inputType?: InputDType;
  /** Declared input quantization, model input = inputScale * (v - inputZeroPoint); overrides `bnnc.input_scale` / `bnnc.input_zero_point`. */
  inputScale?: number;
  inputZeroPoint?: number;
}

export function nodeLabel(node: NodeProto, index: number): string {
  return node.name && node.name.length > 0 ? node.name : `${node.opType} #${index}`;
}

/** One error listing every node bnnc has no handler for. */
function checkSupported(model: ModelProto, file: string): void {
  const unsupported = (model.graph!.node ?? [])
    .map((n, i) => ({ n, i }))
    .filter(({ n }) => !findHandler(n.domain, n.opType ?? ''));
  if (unsupported.length === 0) return;
  const lines = unsupported.map(({ n, i }) => `  - "${nodeLabel(n, i)}": ${n.opType} (domain "${normalizeDomain(n.domain) || 'ai.onnx'}")`);
  throw new BnncError(`${unsupported.length} unsupported node(s):\n${lines.join('\n')}`, {
    file,
    expected: 'nodes of a binary network: MatMul/Gemm, Conv, MaxPool/AveragePool/GlobalAveragePool, BatchNormalization, Sign/BipolarQuant/MultiThreshold, Clip, Flatten/Reshape/Transpose, Add/Sub/Mul/Div by constants, ArgMax/TopK',
    hint: 'see docs/onnx-support.md for the supported operators',
  });
}

/** Static shape of the graph input; a symbolic first axis is the batch (taken as 1). */
function inputShape(vi: ValueInfoProto, file: string): number[] {
  const dims = vi.type?.tensorType?.shape?.dim ?? [];
  const shape = dims.map((d, i) => {
    const fixed = d.dimValue !== undefined && d.dimValue !== null;
    if (fixed && toNumber(d.dimValue) !== 0) return toNumber(d.dimValue);
    if (i === 0) return 1;
    throw new BnncError(`input "${vi.name}" has a ${fixed ? 'zero' : 'dynamic'} dimension ${i} ("${d.dimParam ?? d.dimValue ?? '?'}")`, {
      file, expected: 'a fixed input size (only the batch axis may be symbolic)', hint: 'export with a fixed-size dummy input',
    });
  });
  const problem = dimsProblem(shape, false);
  if (problem) throw new BnncError(`input "${vi.name}": ${problem}`, { file, expected: 'a fixed input shape of whole numbers >= 1 within the size limit' });
  return shape;
}

/** Every evaluated constant must have usable dims that match its data. */
function checkFolded(info: NodeInfo, outs: ConstTensor[]): void {
  outs.forEach((t, i) => {
    const problem = t ? dimsProblem(t.dims) : null;
    if (problem) throw nodeError(info, `output ${i}: ${problem}`, 'a tensor within the size limits');
    if (t && numel(t.dims) !== t.data.length) {
      throw nodeError(info, `output ${i} has shape [${t.dims}] but ${t.data.length} values`, 'attributes and inputs that give a consistent tensor');
    }
  });
}

/** The activation after a node must be a non-empty tensor within the size limits. */
function checkActivation(info: NodeInfo, shape: number[]): void {
  const problem = dimsProblem(shape, false);
  if (problem) throw nodeError(info, `the activation after this node: ${problem}`, 'a non-empty activation within the size limits');
}

/** Size limits hit inside the tensor helpers become an error that names the node. */
function namingNode<T>(info: NodeInfo, step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof SizeLimitError) throw nodeError(info, e.message, 'tensors within the size limits');
    throw e;
  }
}

function metadataValue(model: ModelProto, key: string): string | undefined {
  return (model.metadataProps ?? []).find((p) => p.key === key)?.value ?? undefined;
}

function inputTypeFromMetadata(model: ModelProto): InputDType | undefined {
  const value = metadataValue(model, 'bnnc.input_type');
  return value === 'uint8' || value === 'int8' || value === 'float32' ? value : undefined;
}

/** A finite number from the metadata entry `key`, or undefined when the model has none. */
function metadataNumber(model: ModelProto, key: string, file: string): number | undefined {
  const text = metadataValue(model, key);
  if (text === undefined) return undefined;
  const value = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new BnncError(`metadata ${key} is "${text}", not a number`, {
      file, where: `metadata_props "${key}"`, expected: 'a finite decimal number such as 0.0625 or 127.5',
      hint: 'fix the metadata, or give --input-scale / --input-zero-point, which override it',
    });
  }
  return value;
}

/** The declared input quantization: the options, else the model's bnnc.input_scale / bnnc.input_zero_point metadata. */
function declaredMapping(model: ModelProto, options: OnnxImportOptions, file: string): DeclaredInputMapping {
  if (options.inputScale !== undefined || options.inputZeroPoint !== undefined) return { scale: options.inputScale, zeroPoint: options.inputZeroPoint };
  return { scale: metadataNumber(model, 'bnnc.input_scale', file), zeroPoint: metadataNumber(model, 'bnnc.input_zero_point', file) };
}

/** quantization_annotation entries (FINN datatypes), by tensor name. */
function annotations(model: ModelProto): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const a of model.graph!.quantizationAnnotation ?? []) {
    const entries = new Map((a.quantParameterTensorNames ?? []).map((kv) => [kv.key ?? '', kv.value ?? '']));
    out.set(a.tensorName ?? '', entries);
  }
  return out;
}

/** Exporters' default graph names say nothing; the file (or its folder, for model.onnx) does. */
const GENERIC_GRAPH_NAMES = new Set(['', 'torch-jit-export', 'torch_jit', 'main_graph', 'fuse-graph', 'tf2onnx', 'graph']);

function modelName(graphName: string, path: string): string {
  if (!GENERIC_GRAPH_NAMES.has(graphName)) return graphName;
  const file = basename(path).replace(/\.onnx$/i, '');
  return file === 'model' ? basename(dirname(resolve(path))) : file;
}

export function importOnnx(path: string, options: OnnxImportOptions = {}, bytes: Uint8Array = readInputFile(path, 'model', 'an ONNX model')): Model {
  const model = readModelProto(path, bytes);
  const graph = model.graph!;
  checkSupported(model, path);

  const consts = new Map<string, ConstTensor>();
  for (const init of graph.initializer ?? []) consts.set(init.name ?? '', decodeTensor(init, path));
  const realInputs = (graph.input ?? []).filter((vi) => !consts.has(vi.name ?? ''));
  if (realInputs.length !== 1) {
    throw new BnncError(`the graph has ${realInputs.length} non-constant inputs (${realInputs.map((v) => v.name).join(', ')})`, {
      file: path, expected: 'exactly one model input',
    });
  }
  const inputInfo = realInputs[0];
  const shape0 = inputShape(inputInfo, path);
  const notes = annotations(model);

  let running = inputInfo.name ?? '';
  let shape = shape0;
  let layout: Int32Array | null = null;
  let terminated = false;
  let pendingPad: PendingPad | undefined;
  const layers: FloatLayer[] = [];
  (graph.node ?? []).forEach((node, index) => {
    const info: NodeInfo = { file: path, node, label: nodeLabel(node, index), attrs: decodeAttributes(node, path) };
    const handler = findHandler(node.domain, node.opType ?? '')!;
    const names = node.input ?? [];
    const inputs = names.map((n) => (n === '' ? null : consts.get(n) ?? null));
    const required = handler.requiredInputs ?? 1;
    const missing = Array.from({ length: required }, (_, i) => i).filter((i) => !names[i]);
    if (missing.length > 0) {
      throw nodeError(info, `input ${missing[0]} is missing (${names.length} given)`, `at least ${required} input(s) for ${node.opType}`);
    }
    const dynamic = names.map((n, i) => (n !== '' && inputs[i] === null ? i : -1)).filter((i) => i >= 0);

    if (dynamic.length === 0 || (node.opType === 'Shape' && names[0] === running)) {
      // Constant subgraph: evaluate now. Shape of the activation is known statically.
      const evalInputs = node.opType === 'Shape' && dynamic.length > 0
        ? [{ dims: shape, data: new Float64Array(0), isFloat: true }]
        : inputs;
      if (!handler.evaluate) throw new BnncError(`${node.opType} on constants cannot be folded`, { file: path, where: `node "${info.label}"` });
      const outs = namingNode(info, () => handler.evaluate!({ ...info, inputs: evalInputs }));
      checkFolded(info, outs);
      (node.output ?? []).forEach((name, i) => { if (outs[i]) consts.set(name, outs[i]); });
      return;
    }
    const unknown = dynamic.filter((i) => names[i] !== running);
    if (unknown.length > 0 || dynamic.length > 1) {
      throw new BnncError(`reads "${names[unknown[0] ?? dynamic[1]]}", which is neither a constant nor the single running activation "${running}"`, {
        file: path, where: `node "${info.label}" (${node.opType})`,
        expected: 'a sequential network: each node consumes the previous node\'s output plus constants',
      });
    }
    if (terminated) {
      throw new BnncError('a node follows the final ArgMax/TopK', { file: path, where: `node "${info.label}"`, expected: 'ArgMax/TopK as the last node' });
    }
    if (!handler.lower) {
      throw new BnncError(`${node.opType} on the activation is not supported (only on constants)`, { file: path, where: `node "${info.label}"` });
    }
    const ctx: LowerContext = {
      ...info,
      dynamicInput: dynamic[0],
      shape,
      consts: inputs,
      annotations: names.map((n) => notes.get(n) ?? null),
      layout,
      pendingPad,
    };
    if (pendingPad && !handler.foldsPad) throw padNotFoldable(path, pendingPad, info);
    const lowered = namingNode(info, () => handler.lower!(ctx));
    checkActivation(info, lowered.shape);
    layers.push(...lowered.layers);
    shape = lowered.shape;
    if (lowered.layout !== undefined) layout = lowered.layout;
    pendingPad = lowered.pendingPad;
    terminated = lowered.terminal ?? false;
    // TopK's running output is its indices (output 1); every other op has one output.
    running = node.opType === 'TopK' ? (node.output ?? [])[1] : (node.output ?? [])[0];
  });

  if (pendingPad) throw padNotFoldable(path, pendingPad, null);
  checkDeclaredOutputs(graph, path, running, lastComputedLogits(graph, running));

  const mapping = declaredMapping(model, options, path);
  const mappingSource = options.inputScale !== undefined || options.inputZeroPoint !== undefined ? '--input-scale/--input-zero-point' : 'metadata bnnc.input_scale/bnnc.input_zero_point';
  layers.unshift(...inputMappingLayer(mapping, numel(shape0.slice(1)), mappingSource));
  const declaredType = options.inputType ?? inputTypeFromMetadata(model);
  const input: InputSpec = {
    name: inputInfo.name ?? 'input',
    shape: shape0.slice(1),
    features: numel(shape0.slice(1)),
    dtype: mappedInputType(mapping, declaredType, 'the declared input scale', path) ?? 'float32',
  };
  const lastFeatures = layers.filter((l) => l.kind === 'dense').at(-1)?.outFeatures ?? 0;
  return {
    name: modelName(graph.name ?? '', path),
    sourcePath: path,
    sourceFormat: 'onnx',
    sourceHash: createHash('sha256').update(bytes).digest('hex'),
    input,
    classes: lastFeatures,
    layers,
    memory: null,
  };
}

/** A zero Pad is folded into the Conv after it; it cannot stand alone or before another op. */
function padNotFoldable(path: string, pad: PendingPad, next: NodeInfo | null): BnncError {
  const after = next ? `node "${next.label}" (${next.node.opType}) follows it` : 'it ends the graph';
  return new BnncError(`the zero Pad cannot be folded: ${after}`, {
    file: path, where: `node "${pad.label}" (Pad)`,
    expected: 'a Conv right after a Pad (bnnc folds the zeros into its float-zero padding)',
    hint: 'give the Conv its own pads, or the MaxPool/AveragePool its pads (a zero Pad before a max-pool can change the max, so it is not the same model)',
  });
}

/** The logits a final ArgMax/TopK reads (the same prediction as the running output), or null. */
function lastComputedLogits(graph: NonNullable<ModelProto['graph']>, running: string): string | null {
  const last = (graph.node ?? []).find((n) => (n.opType === 'ArgMax' || n.opType === 'TopK') && (n.output ?? []).includes(running));
  return last ? (last.input ?? [])[0] ?? null : null;
}

/**
 * bnnc compiles the whole chain of nodes to its last activation. The graph must
 * declare that activation (or the logits its final ArgMax/TopK reads) as its
 * output: a graph without outputs, or one whose output is a middle tensor
 * (e.g. truncated after a batch-norm, with later nodes left in), is refused
 * rather than compiled into a different network.
 */
function checkDeclaredOutputs(graph: NonNullable<ModelProto['graph']>, path: string, running: string, logits: string | null): void {
  const declared = (graph.output ?? []).map((o) => o.name ?? '');
  const accepted = new Set([running, ...(logits ? [logits] : [])]);
  if (declared.length === 0) {
    throw new BnncError('the graph declares no output', {
      file: path, expected: `one graph output: the network's last activation "${running}"`, hint: 'export the model with its output (e.g. torch.onnx.export output_names=[...])',
    });
  }
  const other = declared.find((name) => !accepted.has(name));
  if (other === undefined) return;
  const nodes = graph.node ?? [];
  const producer = nodes.findIndex((n) => (n.output ?? []).includes(other));
  const where = producer < 0
    ? 'no node produces it'
    : `node "${nodeLabel(nodes[producer], producer)}" produces it and ${nodes.length - 1 - producer} node(s) after it would be compiled too`;
  throw new BnncError(`graph output "${other}" is not the network's last activation "${running}" (${where})`, {
    file: path, where: `graph output "${other}"`,
    expected: `exactly one declared output, the last node's output "${running}"${logits ? ` or the logits "${logits}"` : ''}`,
    hint: 'remove the nodes after the intended output (or declare the final output) and export again',
  });
}
