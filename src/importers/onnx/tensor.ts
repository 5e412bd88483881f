/** Small float tensor helpers for constant folding and the float reference interpreter. */
import type { ConstTensor } from './proto.ts';

export function numel(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function tensor(dims: number[], data: ArrayLike<number>, isFloat = true): ConstTensor {
  return { dims: [...dims], data: Float64Array.from(data), isFloat };
}

export function scalarValue(t: ConstTensor): number | null {
  return t.data.length === 1 ? t.data[0] : null;
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

/** Elementwise unary op; float results rounded to float32. */
export function unary(a: ConstTensor, f: (x: number) => number): ConstTensor {
  const data = a.data.map((x) => (a.isFloat ? Math.fround(f(x)) : f(x)));
  return { dims: [...a.dims], data, isFloat: a.isFloat };
}

/** Transpose with a permutation (default: reverse). */
export function transpose(a: ConstTensor, perm?: number[]): ConstTensor {
  const p = perm ?? a.dims.map((_, i) => a.dims.length - 1 - i);
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

/** float32 matrix product [m,k] x [k,n], accumulated in float32 in index order. */
export function matmul2d(a: ConstTensor, b: ConstTensor): ConstTensor | null {
  const [m, k] = a.dims.length === 1 ? [1, a.dims[0]] : [a.dims[a.dims.length - 2], a.dims[a.dims.length - 1]];
  if (a.dims.length > 2 && numel(a.dims.slice(0, -2)) !== 1) return null;
  if (b.dims.length !== 2 || b.dims[0] !== k) return null;
  const n = b.dims[1];
  const data = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      let acc = 0;
      for (let i = 0; i < k; i++) acc = Math.fround(acc + Math.fround(a.data[r * k + i] * b.data[i * n + c]));
      data[r * n + c] = acc;
    }
  }
  const dims = a.dims.length === 1 ? [n] : [...a.dims.slice(0, -1), n];
  return { dims, data, isFloat: true };
}
