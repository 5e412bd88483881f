/**
 * ArgMax and TopK(k = 1) over the features at the end of the network: our
 * argmax (ties to the lowest index). `evaluate` implements the full ops (any
 * axis, keepdims, select_last_index, any k, largest = 0); `lower` only the
 * predicted class.
 */
import { featuresOf, intAttr, nodeError } from '../common.ts';
import type { Lowered, LowerContext, NodeInfo, OpHandler } from '../op.ts';
import { normalizeAxis, numel } from '../tensor.ts';

/** The axis attribute resolved against `dims`, and the sizes before, along and after it. */
function splitAtAxis(info: NodeInfo, dims: number[], axisAttr: number): { outer: number; size: number; inner: number; axis: number } {
  const axis = normalizeAxis(axisAttr, dims.length);
  if (axis === null) throw nodeError(info, `axis ${axisAttr} is out of range for shape [${dims}]`);
  if (dims[axis] === 0) throw nodeError(info, `reduces an empty axis of shape [${dims}]`, 'a non-empty axis');
  return { outer: numel(dims.slice(0, axis)), size: dims[axis], inner: numel(dims.slice(axis + 1)), axis };
}

function requireLastAxis(info: NodeInfo, shape: number[]): void {
  const axisAttr = intAttr(info, 'axis', info.node.opType === 'TopK' ? -1 : 0);
  const axis = axisAttr < 0 ? axisAttr + shape.length : axisAttr;
  if (shape.slice(1).filter((d, i) => i + 1 !== axis && d !== 1).length > 0 || axis === 0) {
    throw nodeError(info, `reduces axis ${axisAttr} of [${shape}]`, 'a reduction over the class axis of a [1, classes] activation');
  }
}

function lowerArgmax(ctx: LowerContext): Lowered {
  requireLastAxis(ctx, ctx.shape);
  return {
    layers: [{ kind: 'argmax', name: ctx.label, sources: [ctx.label], features: featuresOf(ctx.shape) }],
    shape: [ctx.shape[0], 1],
    terminal: true,
  };
}

export const argmax: OpHandler = {
  opType: 'ArgMax',
  domain: '',
  evaluate: (ctx) => {
    const x = ctx.inputs[0]!;
    const { outer, size, inner, axis } = splitAtAxis(ctx, x.dims, intAttr(ctx, 'axis', 0));
    const last = intAttr(ctx, 'select_last_index', 0) !== 0;
    const data = new Float64Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = (j: number) => x.data[(o * size + j) * inner + i];
        let best = 0;
        for (let j = 1; j < size; j++) if (at(j) > at(best) || (last && at(j) === at(best))) best = j;
        data[o * inner + i] = best;
      }
    }
    const dims = [...x.dims];
    if (intAttr(ctx, 'keepdims', 1)) dims[axis] = 1; else dims.splice(axis, 1);
    return [{ dims, data, isFloat: false }];
  },
  lower: lowerArgmax,
};

export const topk: OpHandler = {
  opType: 'TopK',
  domain: '',
  evaluate: (ctx) => {
    const [x, kInput] = ctx.inputs;
    // k is an input from opset 10 on, an attribute before.
    const k = kInput ? kInput.data[0] : intAttr(ctx, 'k', -1);
    const { outer, size, inner, axis } = splitAtAxis(ctx, x!.dims, intAttr(ctx, 'axis', -1));
    if (!Number.isInteger(k) || k < 0 || k > size) throw nodeError(ctx, `k = ${k} for an axis of size ${size}`, `0 <= k <= ${size}`);
    const largest = intAttr(ctx, 'largest', 1) !== 0;
    // Sorted by value (descending for largest, ascending otherwise), equal values by
    // lower index first, as the spec requires for sorted = 1. With sorted = 0 the
    // order is unspecified, so the sorted order is a valid result too.
    const values = new Float64Array(outer * k * inner);
    const indices = new Float64Array(outer * k * inner);
    const order = Array.from({ length: size }, (_, j) => j);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = (j: number) => x!.data[(o * size + j) * inner + i];
        order.sort((p, q) => (at(p) === at(q) ? p - q : (largest ? at(q) - at(p) : at(p) - at(q))));
        for (let r = 0; r < k; r++) {
          values[(o * k + r) * inner + i] = at(order[r]);
          indices[(o * k + r) * inner + i] = order[r];
        }
        order.sort((p, q) => p - q);
      }
    }
    const dims = [...x!.dims];
    dims[axis] = k;
    return [{ dims, data: values, isFloat: x!.isFloat }, { dims: [...dims], data: indices, isFloat: false }];
  },
  lower: (ctx) => {
    const k = ctx.consts[1];
    if (!k || k.data[0] !== 1) throw nodeError(ctx, `TopK with k = ${k?.data[0] ?? 'unknown'}`, 'k = 1 (the predicted class)');
    if (intAttr(ctx, 'largest', 1) !== 1) throw nodeError(ctx, 'largest = 0', 'largest = 1');
    return lowerArgmax(ctx);
  },
};
