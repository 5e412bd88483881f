/** Shape subgraph ops, folded to constants at import: Shape, Gather, Concat, Constant, Cast. */
import { intAttr, nodeError } from '../common.ts';
import type { OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';
import { BOOL, dataTypeName, FLOAT32, FLOAT64, INTEGER_DATA_TYPES, normalizeAxis, numel } from '../tensor.ts';
import { requireElementCount } from '../../limits.ts';

export const shapeOp: OpHandler = {
  opType: 'Shape',
  domain: '',
  evaluate: (ctx) => {
    // start/end (opset 15) slice the shape; out-of-range values are clamped.
    const dims = ctx.inputs[0]!.dims;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dims.length : v, 0), dims.length);
    const part = dims.slice(clamp(intAttr(ctx, 'start', 0)), clamp(intAttr(ctx, 'end', dims.length)));
    return [{ dims: [part.length], data: Float64Array.from(part), isFloat: false }];
  },
};

export const gather: OpHandler = {
  opType: 'Gather',
  domain: '',
  requiredInputs: 2,
  evaluate: (ctx) => {
    const [data, indices] = ctx.inputs as ConstTensor[];
    const axisAttr = intAttr(ctx, 'axis', 0);
    const axis = normalizeAxis(axisAttr, data.dims.length);
    if (axis === null) throw nodeError(ctx, `axis ${axisAttr} is out of range for shape [${data.dims}]`);
    const outer = numel(data.dims.slice(0, axis));
    const inner = numel(data.dims.slice(axis + 1));
    const size = data.dims[axis];
    requireElementCount(outer * indices.data.length * inner);
    const out: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const raw of indices.data) {
        const idx = raw < 0 ? raw + size : raw;
        if (!Number.isInteger(idx) || idx < 0 || idx >= size) throw nodeError(ctx, `index ${raw} is out of range for axis of size ${size}`);
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
    if (ctx.inputs.some((p) => !p)) throw nodeError(ctx, 'an input is empty', 'tensors to concatenate');
    const parts = ctx.inputs as ConstTensor[];
    const rank = parts[0].dims.length;
    const axisAttr = intAttr(ctx, 'axis', 0);
    const axis = normalizeAxis(axisAttr, rank);
    if (axis === null) throw nodeError(ctx, `axis ${axisAttr} is out of range for rank ${rank}`);
    const mismatch = parts.find((p) => p.dims.length !== rank || p.dims.some((d, i) => i !== axis && d !== parts[0].dims[i]));
    if (mismatch) throw nodeError(ctx, `cannot concatenate [${parts[0].dims}] and [${mismatch.dims}] along axis ${axis}`, 'equal sizes on every other axis');
    requireElementCount(parts.reduce((sum, p) => sum + p.data.length, 0));
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
  requiredInputs: 0,
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

/** Two's complement wrap-around of an integer into `bits` bits, as numpy's astype does. */
function wrapInteger(v: number, bits: number, signed: boolean): number {
  const big = BigInt(v);
  return Number(signed ? BigInt.asIntN(bits, big) : BigInt.asUintN(bits, big));
}

/**
 * Cast to float32 (rounded), float64 (kept), bool (non-zero) or an integer type:
 * floats truncate toward zero (out of range is undefined in ONNX, so an error
 * here), integers wrap around as numpy's astype does. float16, bfloat16, string
 * and the rest are not representable in a ConstTensor.
 */
export const cast: OpHandler = {
  opType: 'Cast',
  domain: '',
  evaluate: (ctx) => {
    const x = ctx.inputs[0]!;
    const to = intAttr(ctx, 'to', 0);
    const int = INTEGER_DATA_TYPES[to];
    let convert: (v: number) => number;
    if (to === FLOAT32) convert = Math.fround;
    else if (to === FLOAT64) convert = (v) => v;
    else if (to === BOOL) convert = (v) => (v !== 0 ? 1 : 0);
    else if (int) {
      const [bits, signed] = int;
      const lo = signed ? -(2 ** (bits - 1)) : 0;
      const end = signed ? 2 ** (bits - 1) : 2 ** bits; // exclusive, exact in float64 also for 64 bits
      convert = (v) => {
        if (!x.isFloat) return wrapInteger(v, bits, signed);
        const t = Math.trunc(v);
        if (!(t >= lo && t < end)) throw nodeError(ctx, `${v} is out of range for ${dataTypeName(to)} (undefined in ONNX)`);
        return t + 0; // no -0 in an integer tensor
      };
    } else {
      throw nodeError(ctx, `Cast to ${dataTypeName(to)}`, 'a cast to float32, float64, bool or an integer type');
    }
    return [{ dims: [...x.dims], data: x.data.map(convert), isFloat: to === FLOAT32 || to === FLOAT64 }];
  },
};
