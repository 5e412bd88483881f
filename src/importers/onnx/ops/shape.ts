/** Shape subgraph ops, folded to constants at import: Shape, Gather, Concat, Constant, Cast. */
import { intAttr, nodeError } from '../common.ts';
import type { OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';
import { numel } from '../tensor.ts';

export const shapeOp: OpHandler = {
  opType: 'Shape',
  domain: '',
  evaluate: (ctx) => {
    const dims = ctx.inputs[0]!.dims;
    return [{ dims: [dims.length], data: Float64Array.from(dims), isFloat: false }];
  },
};

export const gather: OpHandler = {
  opType: 'Gather',
  domain: '',
  evaluate: (ctx) => {
    const [data, indices] = ctx.inputs as ConstTensor[];
    const axisAttr = intAttr(ctx, 'axis', 0);
    const axis = axisAttr < 0 ? axisAttr + data.dims.length : axisAttr;
    const outer = numel(data.dims.slice(0, axis));
    const inner = numel(data.dims.slice(axis + 1));
    const size = data.dims[axis];
    const out: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const raw of indices.data) {
        const idx = raw < 0 ? raw + size : raw;
        if (idx < 0 || idx >= size) throw nodeError(ctx, `index ${raw} is out of range for axis of size ${size}`);
        for (let i = 0; i < inner; i++) out.push(data.data[(o * size + idx) * inner + i]);
      }
    }
    const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
    return [{ dims, data: Float64Array.from(out), isFloat: data.isFloat }];
  },
};

export const concat: OpHandler = {
  opType: 'Concat',
  domain: '',
  evaluate: (ctx) => {
    const parts = ctx.inputs as ConstTensor[];
    const rank = parts[0].dims.length;
    const axisAttr = intAttr(ctx, 'axis', 0);
    const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
    const outer = numel(parts[0].dims.slice(0, axis));
    const out: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const p of parts) {
        const chunk = numel(p.dims.slice(axis));
        for (let i = 0; i < chunk; i++) out.push(p.data[o * chunk + i]);
      }
    }
    const dims = [...parts[0].dims];
    dims[axis] = parts.reduce((s, p) => s + p.dims[axis], 0);
    return [{ dims, data: Float64Array.from(out), isFloat: parts.some((p) => p.isFloat) }];
  },
};

export const constant: OpHandler = {
  opType: 'Constant',
  domain: '',
  evaluate: (ctx) => {
    const value = ctx.attrs.get('value');
    if (value && typeof value === 'object' && !Array.isArray(value)) return [value];
    const f = ctx.attrs.get('value_float');
    if (typeof f === 'number') return [{ dims: [], data: Float64Array.of(f), isFloat: true }];
    const i = ctx.attrs.get('value_int');
    if (typeof i === 'number') return [{ dims: [], data: Float64Array.of(i), isFloat: false }];
    const fs = ctx.attrs.get('value_floats');
    if (Array.isArray(fs)) return [{ dims: [fs.length], data: Float64Array.from(fs), isFloat: true }];
    const is = ctx.attrs.get('value_ints');
    if (Array.isArray(is)) return [{ dims: [is.length], data: Float64Array.from(is), isFloat: false }];
    throw nodeError(ctx, 'Constant without a supported value attribute', 'value, value_float(s) or value_int(s)');
  },
};

const FLOAT_TYPES = new Set([1, 10, 11, 16]);

export const cast: OpHandler = {
  opType: 'Cast',
  domain: '',
  evaluate: (ctx) => {
    const x = ctx.inputs[0]!;
    const to = intAttr(ctx, 'to', 1);
    const isFloat = FLOAT_TYPES.has(to);
    const data = x.data.map((v) => (isFloat ? Math.fround(v) : Math.trunc(v)));
    return [{ dims: [...x.dims], data, isFloat }];
  },
};
