/** Clip (PyTorch Hardtanh): bounds from inputs (opset >= 11) or attributes. */
import { featuresOf, floatAttr, nodeError } from '../common.ts';
import type { NodeInfo, OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';
import { unary } from '../tensor.ts';

function bounds(info: NodeInfo, inputs: (ConstTensor | null | undefined)[]): [number, number] {
  const lo = inputs[1]?.data[0] ?? floatAttr(info, 'min', -Infinity);
  const hi = inputs[2]?.data[0] ?? floatAttr(info, 'max', Infinity);
  return [lo, hi];
}

export const clip: OpHandler = {
  opType: 'Clip',
  domain: '',
  evaluate: (ctx) => {
    const [lo, hi] = bounds(ctx, ctx.inputs);
    return [unary(ctx.inputs[0]!, (x) => Math.min(Math.max(x, lo), hi))];
  },
  lower: (ctx) => {
    const [lo, hi] = bounds(ctx, ctx.consts);
    if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) throw nodeError(ctx, `invalid bounds [${lo}, ${hi}]`, 'min <= max');
    return {
      layers: [{ kind: 'clip', name: ctx.label, sources: [ctx.label], features: featuresOf(ctx.shape), min: lo, max: hi }],
      shape: ctx.shape,
    };
  },
};
