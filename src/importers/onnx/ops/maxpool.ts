/** MaxPool (2-D, no padding, floor mode): on the integer accumulators before a threshold, or on binary activations. */
import type { AvgPoolLayer, Hwc, MaxPoolLayer } from '../../../ir/types.ts';
import { intAttr, intsAttr, nchwToNhwc, nodeError } from '../common.ts';
import type { Lowered, LowerContext, NodeInfo, OpHandler } from '../op.ts';
import { checkWindow, geometry, type Geometry } from './conv.ts';
import { requireFoldWork } from '../../limits.ts';

function poolGeometry(info: NodeInfo, h: number, w: number): Geometry {
  const k = intsAttr(info, 'kernel_shape');
  if (!k || k.length !== 2) throw nodeError(info, 'kernel_shape is missing or not 2-D', 'a 2-D kernel_shape');
  if (intAttr(info, 'ceil_mode', 0) !== 0) throw nodeError(info, 'ceil_mode = 1', 'ceil_mode = 0');
  if (intAttr(info, 'storage_order', 0) !== 0) throw nodeError(info, 'storage_order = 1', 'storage_order = 0');
  const g = geometry(info, h, w, [k[0], k[1]]);
  if (g.pads.some((p) => p !== 0)) throw nodeError(info, `pads [${g.pads}]`, 'max-pooling without padding');
  return g;
}

export const maxpool: OpHandler = {
  opType: 'MaxPool',
  domain: '',
  evaluate: (ctx) => {
    const x = ctx.inputs[0]!;
    if (x.dims.length !== 4) throw nodeError(ctx, `input of shape [${x.dims}]`, '[1, C, H, W]');
    const [n, c, h, w] = x.dims;
    const g = poolGeometry(ctx, h, w);
    const [oh, ow] = g.out;
    requireFoldWork(n * c * oh * ow * g.kernel[0] * g.kernel[1]);
    const out = new Float64Array(n * c * oh * ow);
    for (let ch = 0; ch < n * c; ch++) {
      for (let y = 0; y < oh; y++) {
        for (let xx = 0; xx < ow; xx++) {
          let best = -Infinity;
          for (let ky = 0; ky < g.kernel[0]; ky++) {
            for (let kx = 0; kx < g.kernel[1]; kx++) {
              best = Math.max(best, x.data[(ch * h + y * g.stride[0] + ky) * w + xx * g.stride[1] + kx]);
            }
          }
          out[(ch * oh + y) * ow + xx] = best;
        }
      }
    }
    return [{ dims: [n, c, oh, ow], data: out, isFloat: x.isFloat }];
  },
  lower: (ctx) => lowerPool(ctx, 'maxpool', poolGeometry),
};

/** The pooling layer on the running [1, C, H, W] activation (max or average); the result stays NHWC. */
export function lowerPool(ctx: LowerContext, kind: 'maxpool' | 'avgpool', window: (info: NodeInfo, h: number, w: number) => Geometry): Lowered {
  if (ctx.shape.length !== 4) throw nodeError(ctx, `activation of shape [${ctx.shape}]`, 'a [1, C, H, W] activation');
  const [, c, h, w] = ctx.shape;
  const g = window(ctx, h, w);
  checkWindow(ctx, { inShape: [h, w, c], outShape: [g.out[0], g.out[1], c], kernel: g.kernel, stride: g.stride });
  const layer: MaxPoolLayer | AvgPoolLayer = {
    kind, name: ctx.label, sources: [ctx.label],
    inShape: [h, w, c] as Hwc, outShape: [g.out[0], g.out[1], c] as Hwc, kernel: g.kernel, stride: g.stride,
  };
  return { layers: [layer], shape: [1, c, g.out[0], g.out[1]], layout: nchwToNhwc(c, g.out[0], g.out[1]) };
}
