/**
 * Decoding of ONNX protobuf files through `onnx-proto` (protobufjs), and the
 * conversion of TensorProto/AttributeProto into plain values. Everything
 * downstream works on `ConstTensor` and `Attributes`, never on protobuf objects.
 */
import { readInputFile } from '../../files/read.ts';
import { createRequire } from 'node:module';
import { BnncError } from '../../errors.ts';
import { dimsProblem } from '../limits.ts';

const require = createRequire(import.meta.url);
// onnx-proto is CommonJS; its `onnx` namespace holds the generated message classes.
export const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
export type ModelProto = import('onnx-proto').onnx.ModelProto;
export type NodeProto = import('onnx-proto').onnx.INodeProto;
export type TensorProto = import('onnx-proto').onnx.ITensorProto;
export type ValueInfoProto = import('onnx-proto').onnx.IValueInfoProto;

/** A constant tensor. Values are stored as float64; float tensors hold float32 values. */
export interface ConstTensor {
  dims: number[];
  data: Float64Array;
  isFloat: boolean;
}

export type AttributeValue = number | number[] | string | ConstTensor;
export type Attributes = Map<string, AttributeValue>;

/** int64 fields arrive as Long objects or numbers depending on protobufjs' setup. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

/** Reads and decodes an ONNX file; truncated or non-ONNX files get one clear error. */
export function readModelProto(path: string, bytes: Uint8Array = readInputFile(path, 'model', 'an ONNX model')): ModelProto {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new BnncError(`not a readable ONNX model (${(e as Error).message})`, {
      file: path,
      expected: 'an ONNX ModelProto (protobuf) file',
      hint: 'the file may be truncated or not an .onnx file; export it again (torch.onnx.export)',
    });
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) {
    throw new BnncError('the file decodes but holds no ONNX graph nodes', {
      file: path,
      expected: 'an ONNX ModelProto with a graph',
      hint: 'the file may be truncated or not an .onnx file',
    });
  }
  return model;
}

const FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, BOOL = 9;
const DOUBLE = 11, UINT32 = 12, UINT64 = 13;

/** Converts a TensorProto into a ConstTensor (raw_data or typed fields). */
export function decodeTensor(t: TensorProto, file: string): ConstTensor {
  const dims = (t.dims ?? []).map(toNumber);
  const type = t.dataType ?? 0;
  const where = `initializer "${t.name ?? ''}"`;
  const problem = dimsProblem(dims);
  if (problem) throw new BnncError(`tensor dims: ${problem}`, { file, where, expected: 'dims of whole numbers >= 0 within the size limit' });
  const count = dims.reduce((a, b) => a * b, 1);
  if (t.dataLocation === 1 || (t.externalData ?? []).length > 0) {
    throw new BnncError('tensor data is stored in an external file', {
      file, where, expected: 'weights embedded in the .onnx file',
      hint: 'save the model without external data (onnx.save(model, path, save_as_external_data=False))',
    });
  }
  const data = new Float64Array(count);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  const isFloat = type === FLOAT || type === DOUBLE;
  if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const size = ({ [FLOAT]: 4, [UINT8]: 1, [INT8]: 1, [UINT16]: 2, [INT16]: 2, [INT32]: 4, [INT64]: 8, [BOOL]: 1, [DOUBLE]: 8, [UINT32]: 4, [UINT64]: 8 } as Record<number, number>)[type];
    if (size === undefined) throw unsupportedType(type, file, where);
    if (raw.byteLength !== size * count) {
      const what = raw.byteLength < size * count ? 'truncated' : 'longer than its dims say';
      throw new BnncError(`tensor data is ${what} (${raw.byteLength} bytes for ${count} values)`, { file, where, expected: `${size * count} bytes` });
    }
    for (let i = 0; i < count; i++) data[i] = readRaw(view, type, i * size);
  } else {
    const values = typedValues(t, type);
    if (values === null) throw unsupportedType(type, file, where);
    if (values.length !== count) {
      throw new BnncError(`tensor holds ${values.length} values, its dims say ${count}`, { file, where, expected: `${count} values` });
    }
    for (let i = 0; i < count; i++) data[i] = toNumber(values[i]);
  }
  if (type === FLOAT) for (let i = 0; i < count; i++) data[i] = Math.fround(data[i]);
  return { dims, data, isFloat };
}

function readRaw(view: DataView, type: number, off: number): number {
  switch (type) {
    case FLOAT: return view.getFloat32(off, true);
    case DOUBLE: return view.getFloat64(off, true);
    case UINT8: case BOOL: return view.getUint8(off);
    case INT8: return view.getInt8(off);
    case UINT16: return view.getUint16(off, true);
    case INT16: return view.getInt16(off, true);
    case INT32: return view.getInt32(off, true);
    case UINT32: return view.getUint32(off, true);
    case INT64: return Number(view.getBigInt64(off, true));
    case UINT64: return Number(view.getBigUint64(off, true));
    default: throw new Error(`unreachable tensor type ${type}`);
  }
}

function typedValues(t: TensorProto, type: number): ArrayLike<unknown> | null {
  switch (type) {
    case FLOAT: return t.floatData ?? [];
    case DOUBLE: return t.doubleData ?? [];
    case INT64: return t.int64Data ?? [];
    case UINT32: case UINT64: return t.uint64Data ?? [];
    case UINT8: case INT8: case UINT16: case INT16: case INT32: case BOOL: return t.int32Data ?? [];
    default: return null;
  }
}

function unsupportedType(type: number, file: string, where: string): BnncError {
  return new BnncError(`tensor element type ${type} is not supported`, {
    file, where, expected: 'float, double or an integer type',
  });
}

/** Attributes of a node as plain values. */
export function decodeAttributes(node: NodeProto, file: string): Attributes {
  const attrs: Attributes = new Map();
  for (const a of node.attribute ?? []) {
    const name = a.name ?? '';
    switch (a.type) {
      case 1: attrs.set(name, Math.fround(a.f ?? 0)); break;
      case 2: attrs.set(name, toNumber(a.i ?? 0)); break;
      case 3: attrs.set(name, new TextDecoder().decode(a.s ?? new Uint8Array())); break;
      case 4: attrs.set(name, decodeTensor(a.t ?? {}, file)); break;
      case 6: attrs.set(name, (a.floats ?? []).map((f) => Math.fround(f))); break;
      case 7: attrs.set(name, (a.ints ?? []).map(toNumber)); break;
      default: break; // graphs, sparse tensors, strings lists: no supported op reads them
    }
  }
  return attrs;
}
