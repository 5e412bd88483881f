/** Builds small ONNX models in tests (onnx-proto), so every importer path can be exercised. */
import { onnx } from '../../src/importers/onnx/proto.ts';

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, number | number[] | string>;
}

export interface ModelSpec {
  inputName?: string;
  inputShape: (number | string)[];
  nodes: NodeSpec[];
  initializers?: Record<string, { dims: number[]; data: number[]; int64?: boolean }>;
  output: string;
  metadata?: Record<string, string>;
  graphName?: string;
}

function attribute(name: string, v: number | number[] | string) {
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  return Number.isInteger(v) && !name.match(/epsilon|alpha|beta|min|max|scale|bias|momentum/)
    ? { name, type: 2, i: v }
    : { name, type: 1, f: v };
}

export function buildOnnx(spec: ModelSpec): Uint8Array {
  const inputName = spec.inputName ?? 'input';
  const initializer = Object.entries(spec.initializers ?? {}).map(([name, t]) =>
    t.int64
      ? { name, dims: t.dims, dataType: 7, int64Data: t.data }
      : { name, dims: t.dims, dataType: 1, floatData: t.data });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: spec.graphName ?? 'test_graph',
      node: spec.nodes.map((n, i) => ({
        opType: n.op, input: n.inputs, output: n.outputs, name: n.name ?? `${n.op}_${i}`, domain: n.domain ?? '',
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer,
      input: [{
        name: inputName,
        type: { tensorType: { elemType: 1, shape: { dim: spec.inputShape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
      }],
      output: [{ name: spec.output, type: { tensorType: { elemType: 1 } } }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Deterministic pseudo-random numbers for tests. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

export function signs(n: number, next: () => number): number[] {
  return Array.from({ length: n }, () => (next() < 0.5 ? -1 : 1));
}

export interface MlpSpec {
  widths: number[];
  seed: number;
  /** First layer input: 'uint8' (Div 255 + dense), or 'binarized' (Sub 0.5 + Sign). */
  input: InputKind;
  /** Override BN parameters of hidden layers (gamma, beta, mean, var) per channel. */
  bn?: (layer: number, channel: number, next: () => number) => [number, number, number, number];
  epsilon?: number;
  /** Graph name (the model's name in bnnc). */
  graphName?: string;
  /** Name of layer l's MatMul node. */
  matMulName?: (layer: number) => string;
  /** Model metadata (default: bnnc.input_type uint8 for an integer input). */
  metadata?: Record<string, string>;
}

/**
 * uint8 device input scaled by 1/255, normalized to [-1, 1] or inverted (x * -1/255), a float input binarized by a sign,
 * or `float`: the graph reads the float input as it is (a model trained on normalised data, no scaling node).
 */
export type InputKind = 'uint8' | 'normalized' | 'inverted' | 'binarized' | 'float';

/** The first nodes: Div 255 for uint8 input, or Sub 0.5 -> Sign for a binarized float input. Returns the tensor they produce. */
function inputPrologue(kind: InputKind, nodes: NodeSpec[], init: NonNullable<ModelSpec['initializers']>): string {
  if (kind === 'float') return 'input';
  if (kind === 'normalized') {
    // torchvision-style Normalize of uint8 data: x / 127.5 - 1, an input offset in front of the first layer.
    init.scale = { dims: [], data: [1 / 127.5] };
    init.one = { dims: [], data: [1] };
    nodes.push({ op: 'Mul', inputs: ['input', 'scale'], outputs: ['scaled'] });
    nodes.push({ op: 'Sub', inputs: ['scaled', 'one'], outputs: ['normalized'] });
    return 'normalized';
  }
  if (kind === 'inverted') {
    // A negative input scale: the float model's max over positions is a * min(acc).
    init.scale = { dims: [], data: [-1 / 255] };
    nodes.push({ op: 'Mul', inputs: ['input', 'scale'], outputs: ['scaled'] });
    return 'scaled';
  }
  if (kind === 'uint8') {
    init.scale = { dims: [], data: [255] };
    nodes.push({ op: 'Div', inputs: ['input', 'scale'], outputs: ['scaled'] });
    return 'scaled';
  }
  init.half = { dims: [], data: [0.5] };
  nodes.push({ op: 'Sub', inputs: ['input', 'half'], outputs: ['centered'] });
  nodes.push({ op: 'Sign', inputs: ['centered'], outputs: ['xbin'] });
  return 'xbin';
}

/** A PyTorch-style binary MLP: scale -> (MatMul(Sign W) -> BN -> Clip -> Sign)* -> MatMul -> BN. */
export function binaryMlp(spec: MlpSpec): Uint8Array {
  const next = rng(spec.seed);
  const nodes: NodeSpec[] = [];
  const init: NonNullable<ModelSpec['initializers']> = {};
  let x = inputPrologue(spec.input, nodes, init);
  const layers = spec.widths.length - 1;
  for (let l = 0; l < layers; l++) {
    const [nin, nout] = [spec.widths[l], spec.widths[l + 1]];
    init[`w${l}`] = { dims: [nin, nout], data: Array.from({ length: nin * nout }, () => next() * 2 - 1) };
    nodes.push({ op: 'Sign', inputs: [`w${l}`], outputs: [`wb${l}`] });
    nodes.push({ op: 'MatMul', inputs: [x, `wb${l}`], outputs: [`mm${l}`], name: spec.matMulName?.(l) });
    const bn = Array.from({ length: nout }, (_, c) => spec.bn?.(l, c, next) ?? [next() * 2 - 0.5, next() * 4 - 2, (next() - 0.5) * nin * (l === 0 && spec.input === 'uint8' ? 0.5 : 0.3), next() * nin + 0.1]);
    init[`g${l}`] = { dims: [nout], data: bn.map((b) => b[0]) };
    init[`b${l}`] = { dims: [nout], data: bn.map((b) => b[1]) };
    init[`m${l}`] = { dims: [nout], data: bn.map((b) => b[2]) };
    init[`v${l}`] = { dims: [nout], data: bn.map((b) => b[3]) };
    nodes.push({ op: 'BatchNormalization', inputs: [`mm${l}`, `g${l}`, `b${l}`, `m${l}`, `v${l}`], outputs: [`bn${l}`], attrs: { epsilon: spec.epsilon ?? 1e-5 } });
    if (l < layers - 1) {
      init[`lo${l}`] = { dims: [], data: [-1] };
      init[`hi${l}`] = { dims: [], data: [1] };
      nodes.push({ op: 'Clip', inputs: [`bn${l}`, `lo${l}`, `hi${l}`], outputs: [`clip${l}`] });
      nodes.push({ op: 'Sign', inputs: [`clip${l}`], outputs: [`act${l}`] });
      x = `act${l}`;
    } else {
      x = `bn${l}`;
    }
  }
  return buildOnnx({
    inputShape: [1, spec.widths[0]], nodes, initializers: init, output: x,
    metadata: spec.metadata ?? (spec.input !== 'binarized' && spec.input !== 'float' ? { 'bnnc.input_type': 'uint8' } : {}), graphName: spec.graphName,
  });
}

export interface ConvSpec {
  out: number;
  kernel: number;
  stride?: number;
  pads?: number;
  autoPad?: 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  /** Conv group attribute (depthwise: groups = input channels); out must be a multiple. */
  groups?: number;
  /** Conv dilations, the same on every spatial axis. */
  dilation?: number;
  /** A Pad node of this many zeros on every spatial side in front of the Conv (PyTorch's export of a padded pool or conv). */
  padNode?: number;
  /** Max-pool (true: 2x2, stride 2) of the conv output before the batch-norm, or the pool given. */
  poolBefore?: boolean | PoolSpec;
  /** Max-pool (true: 2x2, stride 2) after the sign, or the pool given. */
  poolAfter?: boolean | PoolSpec;
}

/** A MaxPool or AveragePool window per spatial axis (1-D: the length axis only). */
export interface PoolSpec {
  op: 'MaxPool' | 'AveragePool';
  kernel: number;
  stride: number;
  pads: number;
}

const POOL_2X2: PoolSpec = { op: 'MaxPool', kernel: 2, stride: 2, pads: 0 };

export interface CnnSpec {
  input: [number, number, number]; // C, H, W (H = 1 with oneD)
  /** Conv1d/MaxPool1d/AveragePool1d: the ONNX graph is [1, C, W], every window 1-D. */
  oneD?: boolean;
  convs: ConvSpec[];
  dense: number[]; // hidden widths after flatten, then classes last
  seed: number;
  inputType: InputKind;
  /** Model metadata (default: bnnc.input_type uint8 for an integer input). */
  metadata?: Record<string, string>;
}

/** A PyTorch-style binary CNN: scale -> (Conv(Sign W) [-> MaxPool] -> BN -> Sign [-> MaxPool])* -> Flatten -> dense head. */
export function binaryCnn(spec: CnnSpec): Uint8Array {
  const next = rng(spec.seed);
  const nodes: NodeSpec[] = [];
  const init: NonNullable<ModelSpec['initializers']> = {};
  let x = inputPrologue(spec.inputType, nodes, init);
  let [c, h, w] = spec.input;
  const bn = (name: string, n: number, fanIn: number) => {
    init[`${name}_g`] = { dims: [n], data: Array.from({ length: n }, () => (next() < 0.15 ? -1 : 1) * (next() + 0.2)) };
    init[`${name}_b`] = { dims: [n], data: Array.from({ length: n }, () => next() - 0.5) };
    init[`${name}_m`] = { dims: [n], data: Array.from({ length: n }, () => (next() - 0.5) * fanIn * 0.4) };
    init[`${name}_v`] = { dims: [n], data: Array.from({ length: n }, () => next() * fanIn + 0.5) };
    return [`${name}_g`, `${name}_b`, `${name}_m`, `${name}_v`];
  };
  const oneD = spec.oneD ?? false;
  const axes = oneD ? 1 : 2;
  const perAxis = (v: number) => Array(axes).fill(v);
  const kernelDims = (k: number) => (oneD ? [k] : [k, k]);
  const pool = (p: PoolSpec, input: string, name: string) => {
    nodes.push({ op: p.op, inputs: [input], outputs: [name], attrs: { kernel_shape: perAxis(p.kernel), strides: perAxis(p.stride), pads: perAxis(p.pads).concat(perAxis(p.pads)) }, name });
    if (!oneD) h = Math.floor((h + 2 * p.pads - p.kernel) / p.stride) + 1;
    w = Math.floor((w + 2 * p.pads - p.kernel) / p.stride) + 1;
    return name;
  };
  spec.convs.forEach((cv, l) => {
    const k = cv.kernel;
    const groups = cv.groups ?? 1;
    const d = cv.dilation ?? 1;
    init[`cw${l}`] = { dims: [cv.out, c / groups, ...kernelDims(k)], data: Array.from({ length: cv.out * (c / groups) * k ** axes }, () => next() * 2 - 1) };
    nodes.push({ op: 'Sign', inputs: [`cw${l}`], outputs: [`cwb${l}`] });
    if (cv.padNode) {
      const zeros = [0, 0, ...perAxis(cv.padNode)];
      init[`pads${l}`] = { dims: [zeros.length * 2], data: zeros.concat(zeros), int64: true };
      nodes.push({ op: 'Pad', inputs: [x, `pads${l}`], outputs: [`padded${l}`], name: `pad${l}` });
      x = `padded${l}`;
      if (!oneD) h += 2 * cv.padNode;
      w += 2 * cv.padNode;
    }
    const attrs: Record<string, number | number[] | string> = { kernel_shape: kernelDims(k), strides: perAxis(cv.stride ?? 1) };
    if (groups > 1) attrs.group = groups;
    if (d > 1) attrs.dilations = perAxis(d);
    if (cv.autoPad) attrs.auto_pad = cv.autoPad;
    else attrs.pads = perAxis(cv.pads ?? 0).concat(perAxis(cv.pads ?? 0));
    nodes.push({ op: 'Conv', inputs: [x, `cwb${l}`], outputs: [`conv${l}`], attrs, name: `conv${l}` });
    const s = cv.stride ?? 1;
    if (cv.autoPad === 'SAME_UPPER' || cv.autoPad === 'SAME_LOWER') { if (!oneD) h = Math.ceil(h / s); w = Math.ceil(w / s); }
    else {
      const p = cv.autoPad === 'VALID' ? 0 : cv.pads ?? 0;
      const span = d * (k - 1) + 1;
      if (!oneD) h = Math.floor((h + 2 * p - span) / s) + 1;
      w = Math.floor((w + 2 * p - span) / s) + 1;
    }
    let y = `conv${l}`;
    if (cv.poolBefore) y = pool(cv.poolBefore === true ? POOL_2X2 : cv.poolBefore, y, `pre_pool${l}`);
    nodes.push({ op: 'BatchNormalization', inputs: [y, ...bn(`cbn${l}`, cv.out, (c / groups) * k ** axes)], outputs: [`cbn${l}`], attrs: { epsilon: 1e-5 }, name: `cbn${l}` });
    nodes.push({ op: 'Sign', inputs: [`cbn${l}`], outputs: [`cact${l}`], name: `csign${l}` });
    y = `cact${l}`;
    if (cv.poolAfter) y = pool(cv.poolAfter === true ? POOL_2X2 : cv.poolAfter, y, `post_pool${l}`);
    x = y;
    c = cv.out;
  });
  nodes.push({ op: 'Flatten', inputs: [x], outputs: ['flat'], attrs: { axis: 1 } });
  x = 'flat';
  let features = c * h * w;
  spec.dense.forEach((n, l) => {
    init[`dw${l}`] = { dims: [features, n], data: Array.from({ length: features * n }, () => next() * 2 - 1) };
    nodes.push({ op: 'Sign', inputs: [`dw${l}`], outputs: [`dwb${l}`] });
    nodes.push({ op: 'MatMul', inputs: [x, `dwb${l}`], outputs: [`fc${l}`], name: `fc${l}` });
    nodes.push({ op: 'BatchNormalization', inputs: [`fc${l}`, ...bn(`dbn${l}`, n, features)], outputs: [`dbn${l}`], attrs: { epsilon: 1e-5 }, name: `dbn${l}` });
    x = `dbn${l}`;
    if (l < spec.dense.length - 1) {
      nodes.push({ op: 'Sign', inputs: [x], outputs: [`dact${l}`], name: `dsign${l}` });
      x = `dact${l}`;
    }
    features = n;
  });
  return buildOnnx({
    inputShape: oneD ? [1, spec.input[0], spec.input[2]] : [1, ...spec.input], nodes, initializers: init, output: x,
    metadata: spec.metadata ?? (spec.inputType !== 'binarized' && spec.inputType !== 'float' ? { 'bnnc.input_type': 'uint8' } : {}),
  });
}
