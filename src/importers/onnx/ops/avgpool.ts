/**
 * AveragePool (no padding, floor mode) and GlobalAveragePool: float32 sum of
 * the window divided by its size. On the integer accumulators before a
 * threshold only (bnnc folds the division into the threshold).
 */
import { intAttr, intsAttr, nodeError } from '../common.ts';
import type { LowerContext, NodeInfo, OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';
import { geometry, type Geometry } from './conv.ts';
import { requireFoldWork } from '../../limits.ts';
import { lowerPool } from './maxpool.ts';

function averageGeometry(info: NodeInfo, h: number, w: number): Geometry {
  if (info.node.opType === 'GlobalAveragePool') return { kernel: [h, w], stride: [h, w], pads: [0, 0, 0, 0], out: [1, 1] };
  const k = intsAttr(info, 'kernel_shape');
  if (!k || k.length !== 2) throw nodeError(info, 'kernel_shape is missing or not 2-D', 'a 2-D kernel_shape');
  if (intAttr(info, 'ceil_mode', 0) !== 0) throw nodeError(info, 'ceil_mode = 1', 'ceil_mode = 0');
  const g = geometry(info, h, w, [k[0], k[1]]);
  if (g.pads.some((p) => p !== 0)) throw nodeError(info, `pads [${g.pads}]`, 'average pooling without padding');
  return g;
}

function evaluate(info: NodeInfo, x: ConstTensor): ConstTensor {
  if (x.dims.length !== 4) throw nodeError(info, `input of shape [${x.dims}]`, '[N, C, H, W]');
  const [n, c, h, w] = x.dims;
  const g = averageGeometry(info, h, w);
  const [oh, ow] = g.out;
  const count = g.kernel[0] * g.kernel[1];
  requireFoldWork(n * c * oh * ow * count);
  const out = new Float64Array(n * c * oh * ow);
  for (let ch = 0; ch < n * c; ch++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
    let sum = 0;
    for (let ky = 0; ky < g.kernel[0]; ky++) for (let kx = 0; kx < g.kernel[1]; kx++) {
      sum = Math.fround(sum + x.data[(ch * h + y * g.stride[0] + ky) * w + xx * g.stride[1] + kx]);
    }
    out[(ch * oh + y) * ow + xx] = Math.fround(sum / count);
  }
  return { dims: [n, c, oh, ow], data: out, isFloat: true };
}

const lower = (ctx: LowerContext) => lowerPool(ctx, 'avgpool', averageGeometry);

export const averagePool: OpHandler = { opType: 'AveragePool', domain: '', evaluate: (ctx) => [evaluate(ctx, ctx.inputs[0]!)], lower };
export const globalAveragePool: OpHandler = { opType: 'GlobalAveragePool', domain: '', evaluate: (ctx) => [evaluate(ctx, ctx.inputs[0]!)], lower };
