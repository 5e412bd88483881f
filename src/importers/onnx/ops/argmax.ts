/** ArgMax and TopK(k = 1) over the features at the end of the network: our argmax (ties to the lowest index). */
import { featuresOf, intAttr, nodeError } from '../common.ts';
import type { Lowered, LowerContext, NodeInfo, OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';

export function argmaxIndex(values: ArrayLike<number>, start = 0, count = values.length): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[start + i] > values[start + best]) best = i;
  return best;
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
    if (intAttr(ctx, 'select_last_index', 0)) throw nodeError(ctx, 'select_last_index = 1', 'ties resolved to the first index');
    requireLastAxis(ctx, x.dims);
    const n = x.dims[x.dims.length - 1];
    const rows = x.data.length / n;
    const data = new Float64Array(rows);
    for (let r = 0; r < rows; r++) data[r] = argmaxIndex(x.data, r * n, n);
    const keep = intAttr(ctx, 'keepdims', 1);
    return [{ dims: keep ? [...x.dims.slice(0, -1), 1] : x.dims.slice(0, -1), data, isFloat: false }];
  },
  lower: lowerArgmax,
};

export const topk: OpHandler = {
  opType: 'TopK',
  domain: '',
  evaluate: (ctx) => {
    const [x, k] = ctx.inputs as ConstTensor[];
    if (k.data[0] !== 1 || intAttr(ctx, 'largest', 1) !== 1) throw nodeError(ctx, `TopK with k = ${k.data[0]}`, 'k = 1, largest = 1');
    requireLastAxis(ctx, x.dims);
    const n = x.dims[x.dims.length - 1];
    const rows = x.data.length / n;
    const values = new Float64Array(rows);
    const indices = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      indices[r] = argmaxIndex(x.data, r * n, n);
      values[r] = x.data[r * n + indices[r]];
    }
    const dims = [...x.dims.slice(0, -1), 1];
    return [{ dims, data: values, isFloat: x.isFloat }, { dims, data: indices, isFloat: false }];
  },
  lower: (ctx) => {
    const k = ctx.consts[1];
    if (!k || k.data[0] !== 1) throw nodeError(ctx, `TopK with k = ${k?.data[0] ?? 'unknown'}`, 'k = 1 (the predicted class)');
    if (intAttr(ctx, 'largest', 1) !== 1) throw nodeError(ctx, 'largest = 0', 'largest = 1');
    return lowerArgmax(ctx);
  },
};
