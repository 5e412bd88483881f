/**
 * Structured ONNX mutants: the model is decoded, one thing is changed where it
 * matters (a dimension, an attribute, a tensor's values, a grafted FINN/QONNX
 * node), and it is encoded again. Each mutation says whether the result is
 * invalid by construction, which is what makes "wrongly accepted" decidable.
 */
import { onnx } from '../../src/importers/onnx/proto.ts';
import type { Mutant } from '../cases.ts';
import { HOSTILE_SIZES, type Rng } from '../random.ts';

type Model = import('onnx-proto').onnx.ModelProto;
type Node = import('onnx-proto').onnx.INodeProto;
type Tensor = import('onnx-proto').onnx.ITensorProto;
type Mutation = (rng: Rng, model: Model) => Omit<Mutant, 'bytes'> | null;

const FLOAT = 1;

function nodes(model: Model, ...opTypes: string[]): Node[] {
  return (model.graph!.node ?? []).filter((n) => opTypes.includes(n.opType ?? ''));
}

function initializer(model: Model, name: string): Tensor | undefined {
  return (model.graph!.initializer ?? []).find((t) => t.name === name);
}

function numberOfDims(dims: unknown[]): number[] {
  return dims.map((d) => Number(d));
}

function floatTensor(name: string, dims: number[], values: number[]): Tensor {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(Float32Array.from(values).buffer) };
}

/** Float32 values of a raw-data float initializer (the bundled models store raw data). */
function rawFloats(t: Tensor): Float32Array | null {
  if (t.dataType !== FLOAT || !t.rawData || t.rawData.length % 4 !== 0) return null;
  return new Float32Array(Uint8Array.from(t.rawData).buffer);
}

function setInts(node: Node, name: string, ints: number[]): void {
  const attrs = (node.attribute ??= []);
  const existing = attrs.find((a) => a.name === name);
  if (existing) {
    existing.type = 7;
    existing.ints = ints;
  } else {
    attrs.push({ name, type: 7, ints });
  }
}

function ints(node: Node, name: string): number[] | null {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  return a?.ints ? a.ints.map(Number) : null;
}

/** Operators bnnc has handlers for (src/importers/onnx/ops/index.ts), with their domains. */
const SUPPORTED_OPERATORS: readonly [string, string][] = [
  ...['Add', 'Sub', 'Mul', 'Div', 'Pow', 'MatMul', 'Gemm', 'Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Transpose', 'Sign', 'Clip',
    'BatchNormalization', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Shape', 'Gather', 'Concat', 'Constant', 'Cast', 'Identity', 'Dropout',
    'ArgMax', 'TopK'].map((op): [string, string] => [op, '']),
  ['BipolarQuant', 'qonnx.custom_op.general'], ['BipolarQuant', 'onnx.brevitas'], ['MultiThreshold', 'finn.custom_op.general'],
];

const ATTRIBUTE_NAMES = ['axis', 'axes', 'perm', 'shape', 'to', 'keepdims', 'k', 'transA', 'transB', 'alpha', 'beta', 'kernel_shape', 'strides',
  'pads', 'group', 'start', 'end', 'allowzero', 'min', 'max', 'value_int', 'value_ints', 'value_float', 'out_scale', 'out_bias', 'ceil_mode',
  'auto_pad', 'largest', 'select_last_index', 'epsilon', 'spatial', 'training_mode'];

type Attribute = NonNullable<Node['attribute']>[number];

function randomAttribute(rng: Rng): Attribute {
  const name = rng.pick(ATTRIBUTE_NAMES);
  const small = () => rng.pick([0, 1, -1, 2, 3, -2, 4, 7, 127, 128, 1e9, -(2 ** 31)]);
  switch (rng.int(0, 3)) {
    case 0: return { name, type: 2, i: small() };
    case 1: return { name, type: 7, ints: Array.from({ length: rng.int(0, 5) }, small) };
    case 2: return { name, type: 1, f: rng.pick([0, 1, -1, 0.5, 2, Number.NaN, Number.POSITIVE_INFINITY, 1e-5]) };
    default: return { name, type: 3, s: new TextEncoder().encode(rng.pick(['SAME_UPPER', 'VALID', 'NOTSET', 'x', ''])) };
  }
}

const MUTATIONS: Record<string, Mutation> = {
  /** One dimension of an initializer becomes a hostile size: the data no longer matches (or the size is impossible). */
  initializerDim(rng, model) {
    const t = rng.pick(model.graph!.initializer ?? []);
    if (!t || (t.dims ?? []).length === 0) return null;
    const dims = numberOfDims(t.dims!);
    const axis = rng.int(0, dims.length - 1);
    const value = rng.pick(HOSTILE_SIZES.filter((v) => v !== dims[axis]));
    dims[axis] = value;
    t.dims = dims;
    return { mutation: `initializer "${t.name}" dims [${dims}]`, invalid: true };
  },

  /** The raw data is cut short or grown: it no longer holds exactly dims' values. */
  initializerLength(rng, model) {
    const t = rng.pick((model.graph!.initializer ?? []).filter((x) => x.rawData && x.rawData.length > 0));
    if (!t) return null;
    const raw = t.rawData!;
    t.rawData = rng.chance(0.5) ? raw.slice(0, rng.int(0, raw.length - 1)) : Uint8Array.from([...raw, ...new Uint8Array(rng.int(1, 16))]);
    return { mutation: `initializer "${t.name}" raw data ${raw.length} -> ${t.rawData.length} bytes`, invalid: true };
  },

  /**
   * An initializer replaced by a consistent one (data matching dims) of another
   * size along one axis. Every initializer of the bundled models is tied to its
   * neighbours' sizes (weights to the activation and the next batch-norm,
   * statistics to the channels), so the model no longer fits together.
   */
  resizeInitializer(rng, model) {
    const t = rng.pick((model.graph!.initializer ?? []).filter((x) => rawFloats(x) && (x.dims ?? []).length > 0));
    if (!t) return null;
    const dims = numberOfDims(t.dims!);
    const axis = rng.int(0, dims.length - 1);
    const before = dims[axis];
    dims[axis] = Math.max(0, before + rng.pick([-1, 1, before]));
    const count = dims.reduce((a, b) => a * b, 1);
    Object.assign(t, floatTensor(t.name!, dims, Array.from({ length: count }, () => (rng.chance(0.5) ? 1 : -1))));
    return { mutation: `initializer "${t.name}" resized to [${dims}] (consistent data)`, invalid: true };
  },

  /** The element type of an initializer changes under its raw data: another element size, or a type bnnc does not read. */
  initializerType(rng, model) {
    const t = rng.pick((model.graph!.initializer ?? []).filter((x) => x.dataType === FLOAT && x.rawData && x.rawData.length > 0));
    if (!t) return null;
    // double, int64, float16, string, bfloat16, uint8, complex64, an unknown code
    t.dataType = rng.pick([11, 7, 10, 8, 16, 2, 14, 99]);
    return { mutation: `initializer "${t.name}" data type ${t.dataType}`, invalid: true };
  },

  /** NaN or Inf among weights or batch-norm statistics: every folded threshold would be meaningless. */
  nonFiniteValue(rng, model) {
    const t = rng.pick((model.graph!.initializer ?? []).filter((x) => rawFloats(x)?.length));
    if (!t) return null;
    const values = rawFloats(t)!;
    const at = rng.int(0, values.length - 1);
    values[at] = rng.pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    t.rawData = new Uint8Array(values.buffer);
    return { mutation: `initializer "${t.name}"[${at}] = ${values[at]}`, invalid: true };
  },

  /** strides / pads / kernel_shape / dilations of a Conv or MaxPool outside what ONNX or the C kernels allow. */
  windowAttribute(rng, model) {
    const node = rng.pick(nodes(model, 'Conv', 'MaxPool'));
    if (!node) return null;
    const name = rng.pick(['strides', 'pads', 'kernel_shape', 'dilations']);
    const length = name === 'pads' ? 4 : 2;
    const bad = rng.pick([0, -1, -3, 128, 1000, 1e9, 2 ** 31]);
    const values = Array.from({ length: rng.chance(0.2) ? rng.int(0, 5) : length }, (_, i) => (i === 0 || rng.chance(0.5) ? bad : 1));
    if (values.length === length && name === 'pads' && values.every((v) => v >= 0 && v < 128)) return null;
    setInts(node, name, values);
    return { mutation: `${node.opType} "${node.name}" ${name} [${values}]`, invalid: true };
  },

  /** A stride larger than 1 or a different window: may still be a consistent model (shapes downstream decide). */
  windowReshaped(rng, model) {
    const node = rng.pick(nodes(model, 'Conv', 'MaxPool'));
    if (!node) return null;
    const before = ints(node, 'strides') ?? [1, 1];
    const after = [rng.int(1, 3), rng.int(1, 3)];
    setInts(node, 'strides', after);
    return { mutation: `${node.opType} "${node.name}" strides [${before}] -> [${after}]`, invalid: false };
  },

  /** The graph input's shape gets a hostile dimension. */
  inputDim(rng, model) {
    const input = (model.graph!.input ?? [])[0];
    const dims = input?.type?.tensorType?.shape?.dim;
    if (!dims || dims.length < 2) return null;
    const axis = rng.int(1, dims.length - 1);
    const value = rng.pick(HOSTILE_SIZES.filter((v) => v !== Number(dims[axis].dimValue)));
    dims[axis] = { dimValue: value };
    return { mutation: `input dim ${axis} = ${value}`, invalid: true };
  },

  /** A required input of a node disappears (empty name or dropped). */
  missingInput(rng, model) {
    const node = rng.pick(nodes(model, 'MatMul', 'Conv', 'BatchNormalization', 'Div', 'Gemm'));
    if (!node || (node.input ?? []).length < 2) return null;
    const index = rng.int(0, node.input!.length - 1);
    if (rng.chance(0.5)) node.input![index] = '';
    else node.input = node.input!.slice(0, index);
    return { mutation: `${node.opType} "${node.name}" loses input ${index}`, invalid: true };
  },

  /** Sign becomes FINN's MultiThreshold; thresholds of shape [0, 1] or several steps are invalid, one per channel is fine. */
  graftMultiThreshold(rng, model) {
    const node = rng.pick(nodes(model, 'Sign'));
    if (!node) return null;
    const kind = rng.pick(['empty', 'multi-step', 'valid'] as const);
    const name = `${node.name}_thresholds`;
    const dims = kind === 'empty' ? [0, 1] : kind === 'multi-step' ? [1, 3] : [1, 1];
    model.graph!.initializer!.push(floatTensor(name, dims, new Array(dims[0] * dims[1]).fill(0)));
    node.opType = 'MultiThreshold';
    node.domain = 'finn.custom_op.general';
    node.input = [node.input![0], name];
    node.attribute = [{ name: 'out_scale', type: 1, f: 2 }, { name: 'out_bias', type: 1, f: -1 }];
    return { mutation: `Sign "${node.name}" -> MultiThreshold, thresholds [${dims}]`, invalid: kind !== 'valid' };
  },

  /** Sign becomes QONNX's BipolarQuant with a scale that is empty, NaN, 0 (invalid) or 1 (valid). */
  graftBipolarQuant(rng, model) {
    const node = rng.pick(nodes(model, 'Sign'));
    if (!node) return null;
    const kind = rng.pick(['empty', 'nan', 'zero', 'one'] as const);
    const name = `${node.name}_scale`;
    const scale = { empty: [] as number[], nan: [Number.NaN], zero: [0], one: [1] }[kind];
    model.graph!.initializer!.push(floatTensor(name, kind === 'empty' ? [0] : [], scale));
    node.opType = 'BipolarQuant';
    node.domain = 'qonnx.custom_op.general';
    node.input = [node.input![0], name];
    return { mutation: `Sign "${node.name}" -> BipolarQuant, scale ${kind}`, invalid: kind !== 'one' };
  },

  /** BipolarQuant in front of a weight matrix that holds a NaN: it must not be silently binarised. */
  quantizedNanWeights(rng, model) {
    const node = rng.pick(nodes(model, 'MatMul', 'Conv'));
    const weights = node && initializer(model, node.input![1]);
    const values = weights && rawFloats(weights);
    if (!node || !weights || !values) return null;
    const poison = rng.chance(0.7);
    if (poison) values[rng.int(0, values.length - 1)] = Number.NaN;
    weights.rawData = new Uint8Array(values.buffer);
    const scale = `${weights.name}_q_scale`;
    const quantized = `${weights.name}_q`;
    model.graph!.initializer!.push(floatTensor(scale, [], [1]));
    model.graph!.node!.unshift({ opType: 'BipolarQuant', domain: 'qonnx.custom_op.general', name: `${weights.name}_quant`, input: [weights.name!, scale], output: [quantized] });
    node.input![1] = quantized;
    return { mutation: `BipolarQuant on "${weights.name}"${poison ? ' holding a NaN' : ''}`, invalid: poison };
  },

  /** The input scaling constant (Constant -> Div) becomes a zero-element tensor. */
  emptyScale(rng, model) {
    const node = rng.pick(nodes(model, 'Constant'));
    const value = node && (node.attribute ?? []).find((a) => a.name === 'value');
    if (!node || !value) return null;
    value.t = floatTensor('', [0], []);
    return { mutation: `Constant "${node.name}" value of shape [0]`, invalid: true };
  },

  /** Flatten's axis beyond the rank. */
  flattenAxis(rng, model) {
    const node = rng.pick(nodes(model, 'Flatten'));
    if (!node) return null;
    const axis = rng.pick([5, 9, -7, 1e6]);
    node.attribute = [{ name: 'axis', type: 2, i: axis }];
    return { mutation: `Flatten "${node.name}" axis ${axis}`, invalid: true };
  },

  /** An attribute of the wrong type (a string for strides, a float list for an int). */
  attributeType(rng, model) {
    const node = rng.pick((model.graph!.node ?? []).filter((n) => (n.attribute ?? []).some((a) => a.type === 2 || a.type === 7)));
    if (!node) return null;
    const attr = rng.pick(node.attribute!.filter((a) => a.type === 2 || a.type === 7));
    const name = attr.name;
    attr.type = 3;
    attr.s = new TextEncoder().encode('1');
    attr.i = undefined;
    attr.ints = [];
    return { mutation: `${node.opType} "${node.name}" attribute ${name} as a string`, invalid: true };
  },

  /** An operator bnnc does not support (or a misspelt domain). */
  unknownOperator(rng, model) {
    const node = rng.pick(model.graph!.node ?? []);
    if (!node) return null;
    if (rng.chance(0.5)) node.opType = `${node.opType}X`;
    else node.domain = 'com.example.unknown';
    return { mutation: `node "${node.name}" becomes ${node.domain || 'ai.onnx'}::${node.opType}`, invalid: true };
  },

  /**
   * A node becomes another supported operator, with random attributes and
   * sometimes an extra constant input: reaches the handlers the bundled models
   * never use (Gemm, Transpose, Reshape, Gather, Concat, Cast, TopK, pooling, ...).
   * Valid or not depends on the draw.
   */
  retargetOperator(rng, model) {
    const node = rng.pick(model.graph!.node ?? []);
    if (!node) return null;
    const [opType, domain] = rng.pick(SUPPORTED_OPERATORS);
    node.opType = opType;
    node.domain = domain;
    node.attribute = Array.from({ length: rng.int(0, 3) }, () => randomAttribute(rng));
    if (rng.chance(0.4)) {
      const name = `${node.name}_extra`;
      const dims = Array.from({ length: rng.int(0, 3) }, () => rng.pick([0, 1, 2, 3, 4, 28, 784]));
      const count = dims.reduce((a, b) => a * b, 1);
      model.graph!.initializer!.push(count <= 4096
        ? floatTensor(name, dims, Array.from({ length: count }, () => rng.pick([0, 1, -1, 2, 0.5, 784, -7])))
        : { name, dims, dataType: 7, int64Data: [] });
      node.input = [...(node.input ?? []), name];
    }
    return { mutation: `node "${node.name}" becomes ${domain || 'ai.onnx'}::${opType} with ${node.attribute.map((a) => a.name).join(', ') || 'no attributes'}`, invalid: false };
  },

  /** A hostile but harmless graph name: escape codes, bidi controls, a very long name. Valid. */
  graphName(rng, model) {
    const name = rng.pick([
      '\u001b]0;owned\u0007\u001b[2J\u001b[31mred',
      'a\u202egnp.exe',
      'x'.repeat(rng.int(200, 5000)),
      'bnn_kernels',
      '',
    ]);
    model.graph!.name = name;
    return { mutation: `graph name ${JSON.stringify(name.slice(0, 40))}${name.length > 40 ? '...' : ''}`, invalid: false, renamed: true };
  },

  /** Two neighbouring nodes swap places: usually a broken chain, sometimes still sequential. */
  swapNodes(rng, model) {
    const list = model.graph!.node ?? [];
    if (list.length < 3) return null;
    const i = rng.int(0, list.length - 2);
    [list[i], list[i + 1]] = [list[i + 1], list[i]];
    return { mutation: `swap nodes ${i} and ${i + 1}`, invalid: false };
  },

  /** A node is dropped: the chain may break, or stay valid (a Sign or a BatchNormalization removed). */
  dropNode(rng, model) {
    const list = model.graph!.node ?? [];
    if (list.length < 2) return null;
    const i = rng.int(0, list.length - 1);
    const [dropped] = list.splice(i, 1);
    return { mutation: `drop node ${i} (${dropped.opType})`, invalid: false };
  },
};

/** One structured mutant of an ONNX model, or null when the drawn mutation does not apply to it. */
/** Window mutations apply to one seed in three (the CNN): drawn more often so that they are not rare. */
const DRAWS = Object.keys(MUTATIONS).flatMap((name) => (name.startsWith('window') || name === 'retargetOperator' ? [name, name, name] : [name]));

export function mutateOnnx(rng: Rng, bytes: Uint8Array): Mutant | null {
  const name = rng.pick(DRAWS);
  const model = onnx.ModelProto.decode(bytes);
  const result = MUTATIONS[name](rng, model);
  if (!result) return null;
  return { ...result, mutation: `onnx ${name}: ${result.mutation}`, bytes: onnx.ModelProto.encode(model).finish() };
}
