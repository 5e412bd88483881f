/** Small float tensor helpers for constant folding and the float reference interpreter. */
import type { ConstTensor } from './proto.ts';
import { invariant } from '../../errors.ts';
import { requireElementCount, requireFoldWork } from '../limits.ts';

export function numel(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function tensor(dims: number[], data: ArrayLike<number>, isFloat = true): ConstTensor {
  return { dims: [...dims], data: Float64Array.from(data), isFloat };
}

/** Shape of numpy-style broadcasting of two shapes, or null if they do not broadcast. */
export function broadcastShape(a: number[], b: number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

function strides(dims: number[]): number[] {
  const s = new Array(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** Index into `src` (shape srcDims, broadcast to outDims) for every output position. */
export function broadcastIndex(srcDims: number[], outDims: number[]): Int32Array {
  const total = numel(outDims);
  requireElementCount(total);
  const index = new Int32Array(total);
  const pad = outDims.length - srcDims.length;
  const srcStrides = strides(srcDims);
  const outStrides = strides(outDims);
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    let src = 0;
    for (let d = 0; d < outDims.length; d++) {
      const coord = Math.floor(rem / outStrides[d]);
      rem -= coord * outStrides[d];
      const sd = d - pad;
      if (sd >= 0 && srcDims[sd] !== 1) src += coord * srcStrides[sd];
    }
    index[flat] = src;
  }
  return index;
}

/** Elementwise binary op with broadcasting; float results are rounded to float32. */
export function elementwise(a: ConstTensor, b: ConstTensor, f: (x: number, y: number) => number): ConstTensor | null {
  const dims = broadcastShape(a.dims, b.dims);
  if (!dims) return null;
  const ia = broadcastIndex(a.dims, dims);
  const ib = broadcastIndex(b.dims, dims);
  const isFloat = a.isFloat || b.isFloat;
  const data = new Float64Array(ia.length);
  for (let i = 0; i < data.length; i++) {
    const v = f(a.data[ia[i]], b.data[ib[i]]);
    data[i] = isFloat ? Math.fround(v) : Math.trunc(v);
  }
  return { dims, data, isFloat };
}

export type ArithmeticOp = 'add' | 'sub' | 'mul' | 'div';

/**
 * Add, Sub, Mul or Div with broadcasting, exactly as `elementwise` with the
 * matching function (float results rounded to float32, integer results
 * truncated), as one loop per op: no function call per element, and no index
 * tables when b is a single value or has a's shape (the interpreter's common cases).
 */
export function arithmetic(a: ConstTensor, b: ConstTensor, op: ArithmeticOp): ConstTensor | null {
  const dims = broadcastShape(a.dims, b.dims);
  if (!dims) return null;
  const total = numel(dims);
  const sameShape = a.data.length === total && (b.data.length === total || b.data.length === 1);
  const ia = sameShape ? null : broadcastIndex(a.dims, dims);
  const ib = sameShape ? null : broadcastIndex(b.dims, dims);
  const bStep = sameShape && b.data.length === 1 ? 0 : 1;
  const isFloat = a.isFloat || b.isFloat;
  const data = new Float64Array(total);
  const ad = a.data, bd = b.data;
  for (let i = 0; i < total; i++) {
    const x = ia ? ad[ia[i]] : ad[i];
    const y = ib ? bd[ib[i]] : bd[i * bStep];
    const v = op === 'add' ? x + y : op === 'sub' ? x - y : op === 'mul' ? x * y : x / y;
    data[i] = isFloat ? Math.fround(v) : Math.trunc(v);
  }
  return { dims, data, isFloat };
}

/** Elementwise unary op; float results rounded to float32. */
export function unary(a: ConstTensor, f: (x: number) => number): ConstTensor {
  const data = a.data.map((x) => (a.isFloat ? Math.fround(f(x)) : f(x)));
  return { dims: [...a.dims], data, isFloat: a.isFloat };
}

/**
 * A tensor of `outDims` whose element at each multi-index is `a.data[sourceOf(index)]`,
 * or `fill` where `sourceOf` returns -1 (outside the source). Shared by Slice and Pad.
 */
export function gather(a: ConstTensor, outDims: number[], sourceOf: (index: readonly number[]) => number, fill = 0): ConstTensor {
  const total = outDims.reduce((p, d) => p * d, 1);
  requireFoldWork(total);
  const data = new Float64Array(total);
  const index = new Array<number>(outDims.length).fill(0);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    for (let d = outDims.length - 1; d >= 0; d--) { index[d] = rest % outDims[d]; rest = Math.floor(rest / outDims[d]); }
    const source = sourceOf(index);
    data[flat] = source < 0 ? fill : a.data[source];
  }
  return { dims: outDims, data, isFloat: a.isFloat };
}

/** Transpose with a permutation (default: reverse). */
export function transpose(a: ConstTensor, perm?: number[]): ConstTensor {
  const p = perm ?? a.dims.map((_, i) => a.dims.length - 1 - i);
  invariant(isPermutation(p, a.dims.length), `transpose perm [${p}] for [${a.dims}] was not checked`);
  const outDims = p.map((i) => a.dims[i]);
  const inStrides = strides(a.dims);
  const outStrides = strides(outDims);
  const data = new Float64Array(a.data.length);
  for (let flat = 0; flat < data.length; flat++) {
    let rem = flat;
    let src = 0;
    for (let d = 0; d < outDims.length; d++) {
      const coord = Math.floor(rem / outStrides[d]);
      rem -= coord * outStrides[d];
      src += coord * inStrides[p[d]];
    }
    data[flat] = a.data[src];
  }
  return { dims: outDims, data, isFloat: a.isFloat };
}

export function isPermutation(perm: readonly number[], rank: number): boolean {
  return perm.length === rank && [...perm].sort((x, y) => x - y).every((v, i) => v === i);
}

/** A possibly negative axis (ONNX counts -1 as the last) as an index into `rank` axes, or null if out of range. */
export function normalizeAxis(axis: number, rank: number): number | null {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : null;
}

/** A float tensor's values as float32 (exact: they are float32 values), made once per constant tensor. */
const FLOAT32_COPIES = new WeakMap<Float64Array, Float32Array>();
function float32View(t: ConstTensor): Float32Array {
  let copy = FLOAT32_COPIES.get(t.data);
  if (!copy) {
    copy = Float32Array.from(t.data);
    FLOAT32_COPIES.set(t.data, copy);
  }
  return copy;
}

/**
 * numpy/ONNX MatMul: the last two axes multiply ([m,k] x [k,n]), the leading
 * (batch) axes broadcast; a 1-D left operand is a row [1,k], a 1-D right one a
 * column [k,1], and the added axis is dropped from the result. Float products
 * and partial sums are rounded to float32 and accumulated in index order.
 * Null when the shapes do not match.
 */
export function matmul(a: ConstTensor, b: ConstTensor): ConstTensor | null {
  if (a.dims.length === 0 || b.dims.length === 0) return null;
  const ad = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const [m, k] = ad.slice(-2);
  const [k2, n] = bd.slice(-2);
  if (k !== k2) return null;
  const batch = broadcastShape(ad.slice(0, -2), bd.slice(0, -2));
  if (!batch) return null;
  const ia = broadcastIndex(ad.slice(0, -2), batch);
  const ib = broadcastIndex(bd.slice(0, -2), batch);
  const isFloat = a.isFloat || b.isFloat;
  requireElementCount(ia.length * m * n);
  requireFoldWork(ia.length * m * n * k);
  const data = new Float64Array(ia.length * m * n);
  const aData = a.data;
  if (!isFloat) {
    for (let p = 0; p < ia.length; p++) {
      for (let r = 0; r < m; r++) {
        for (let c = 0; c < n; c++) {
          let acc = 0;
          for (let i = 0; i < k; i++) acc += aData[ia[p] * m * k + r * k + i] * b.data[ib[p] * k * n + i * n + c];
          data[(p * m + r) * n + c] = acc;
        }
      }
    }
  } else {
    // Float32 storage rounds exactly as Math.fround; a float B (float32 values) is read at half the bytes.
    const bData = b.isFloat ? float32View(b) : b.data;
    const row32 = new Float32Array(n);
    for (let p = 0; p < ia.length; p++) {
      const aOff = ia[p] * m * k;
      const bOff = ib[p] * k * n;
      for (let r = 0; r < m; r++) {
        // Row r of the result accumulates in place, one i at a time across its n outputs: each output
        // still sums its products in index order (the loops are swapped for contiguous reads of B).
        row32.fill(0);
        for (let i = 0; i < k; i++) {
          const av = aData[aOff + r * k + i];
          const row = bOff + i * n;
          for (let c = 0; c < n; c++) row32[c] += Math.fround(av * bData[row + c]);
        }
        data.set(row32, (p * m + r) * n);
      }
    }
  }
  const dims = [...batch, ...(a.dims.length === 1 ? [] : [m]), ...(b.dims.length === 1 ? [] : [n])];
  return { dims, data, isFloat };
}

/**
 * matmul(a, transpose(bT)) for 2-D a [m, k] and bT [n, k] without building the
 * transpose: each output is the same index-order float32 sum, read along bT's rows.
 */
export function matmulTransposedB(a: ConstTensor, bT: ConstTensor): ConstTensor | null {
  if (a.dims.length !== 2 || bT.dims.length !== 2 || a.dims[1] !== bT.dims[1]) return null;
  const [m, k] = a.dims;
  const n = bT.dims[0];
  const isFloat = a.isFloat || bT.isFloat;
  requireElementCount(m * n);
  requireFoldWork(m * n * k);
  const data = new Float64Array(m * n);
  const aData = a.data, bData = bT.data;
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      let acc = 0;
      const aRow = r * k, bRow = c * k;
      if (isFloat) for (let i = 0; i < k; i++) acc = Math.fround(acc + Math.fround(aData[aRow + i] * bData[bRow + i]));
      else for (let i = 0; i < k; i++) acc += aData[aRow + i] * bData[bRow + i];
      data[r * n + c] = acc;
    }
  }
  return { dims: [m, n], data, isFloat };
}

/** ONNX TensorProto.DataType codes by name, for messages. */
const DATA_TYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
  17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4',
};

export function dataTypeName(type: number): string {
  return DATA_TYPE_NAMES[type] ?? `data type ${type}`;
}

export const FLOAT32 = 1, BOOL = 9, FLOAT64 = 11;

/** Integer element types: [bits, signed]. */
export const INTEGER_DATA_TYPES: Readonly<Record<number, readonly [number, boolean]>> = {
  2: [8, false], 3: [8, true], 4: [16, false], 5: [16, true], 6: [32, true], 7: [64, true], 12: [32, false], 13: [64, false],
};

/** Element types whose values a ConstTensor holds exactly (float64 data): the ones decodeTensor reads. */
export function isRepresentableDataType(type: number): boolean {
  return type === FLOAT32 || type === FLOAT64 || type === BOOL || INTEGER_DATA_TYPES[type] !== undefined;
}
