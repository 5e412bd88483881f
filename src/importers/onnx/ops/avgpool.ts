/**
 * AveragePool (1-D as height 1, or 2-D; floor mode) and GlobalAveragePool:
 * float32 sum of the window divided by its size. Padding is evaluated on
 * constants (count_include_pad decides the divisor); on the activation only an
 * unpadded pool of the integer accumulators before a threshold is lowered
 * (bnnc folds the division into the threshold).
 */
import { intAttr, nodeError } from '../common.ts';
import type { LowerContext, NodeInfo, OpHandler } from '../op.ts';
import type { Geometry } from './conv.ts';
import { evaluatePool, lowerPool, poolWindow } from './maxpool.ts';

function averageGeometry(info: NodeInfo, h: number, w: number, oneD: boolean): Geometry {
  if (info.node.opType === 'GlobalAveragePool') return { kernel: [h, w], stride: [h, w], pads: [0, 0, 0, 0], dilation: [1, 1], out: [1, 1] };
  return poolWindow(info, h, w, oneD, false);
}

/** The divisor of a window: every tap (count_include_pad = 1) or only those inside the input. */
function divisor(info: NodeInfo): (valid: number, g: Geometry) => number {
  const includePad = intAttr(info, 'count_include_pad', 0) !== 0;
  return (valid, g) => (includePad ? g.kernel[0] * g.kernel[1] : valid);
}

const lower = (ctx: LowerContext) => lowerPool(ctx, 'avgpool', (h, w, oneD) => {
  const g = averageGeometry(ctx, h, w, oneD);
  if (g.pads.some((p) => p !== 0)) throw nodeError(ctx, `pads [${g.pads}]`, 'average pooling without padding (padded average pools are evaluated on constants only)');
  return g;
});

export const averagePool: OpHandler = {
  opType: 'AveragePool', domain: '', lower,
  evaluate: (ctx) => [evaluatePool(ctx, ctx.inputs[0]!, (h, w, oneD) => averageGeometry(ctx, h, w, oneD), 'average', divisor(ctx))],
};
export const globalAveragePool: OpHandler = {
  opType: 'GlobalAveragePool', domain: '', lower,
  evaluate: (ctx) => [evaluatePool(ctx, ctx.inputs[0]!, (h, w, oneD) => averageGeometry(ctx, h, w, oneD), 'average', divisor(ctx))],
};
