/**
 * MaxPool (1-D as height 1, or 2-D; floor mode): on the integer accumulators
 * before a threshold, or on binary activations. Padded positions never win
 * (ONNX pads a max-pool with -inf). Dilation is evaluated on constants only.
 */
import type { AvgPoolLayer, Hwc, MaxPoolLayer } from '../../../ir/types.ts';
import { intAttr, intsAttr, nchwToNhwc, nodeError } from '../common.ts';
import type { Lowered, LowerContext, NodeInfo, OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';
import { checkWindow, geometry, spatialOf, type Geometry } from './conv.ts';
import { requireFoldWork } from '../../limits.ts';

/** kernel_shape, ceil_mode and the window geometry of a MaxPool/AveragePool over an input of h x w (1-D: 1 x w). */
export function poolWindow(info: NodeInfo, h: number, w: number, oneD: boolean, dilated: boolean): Geometry {
  const k = intsAttr(info, 'kernel_shape');
  const axes = oneD ? 1 : 2;
  if (!k || k.length !== axes) throw nodeError(info, `kernel_shape [${k ?? ''}] for a ${axes}-D input`, `a ${axes}-D kernel_shape`);
  if (intAttr(info, 'ceil_mode', 0) !== 0) throw nodeError(info, 'ceil_mode = 1', 'ceil_mode = 0');
  return geometry(info, h, w, oneD ? [1, k[0]] : [k[0], k[1]], oneD, dilated);
}

function maxGeometry(info: NodeInfo, h: number, w: number, oneD: boolean): Geometry {
  if ((info.node.output ?? [])[1]) throw nodeError(info, 'the Indices output is requested', 'a MaxPool with one output (the pooled values)');
  if (intAttr(info, 'storage_order', 0) !== 0) throw nodeError(info, 'storage_order = 1', 'storage_order = 0');
  return poolWindow(info, h, w, oneD, true);
}

/**
 * Max or average over every window of an [N, C, L] or [N, C, H, W] tensor in
 * float32. Padded positions are skipped (never the max); an average divides
 * by `count(valid taps)`, the number of taps the window covers inside the input.
 */
export function evaluatePool(info: NodeInfo, x: ConstTensor, window: (h: number, w: number, oneD: boolean) => Geometry,
  reduce: 'max' | 'average', count: (valid: number, g: Geometry) => number): ConstTensor {
  const space = spatialOf(x.dims);
  if (!space) throw nodeError(info, `input of shape [${x.dims}]`, '[N, C, L] or [N, C, H, W]');
  const { h, w } = space;
  const planes = x.dims[0] * x.dims[1];
  const g = window(h, w, space.oneD);
  const [oh, ow] = g.out;
  requireFoldWork(planes * oh * ow * g.kernel[0] * g.kernel[1]);
  const out = new Float64Array(planes * oh * ow);
  for (let plane = 0; plane < planes; plane++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let best = -Infinity;
        let sum = 0;
        let valid = 0;
        for (let ky = 0; ky < g.kernel[0]; ky++) {
          const iy = y * g.stride[0] - g.pads[0] + ky * g.dilation[0];
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < g.kernel[1]; kx++) {
            const ix = xx * g.stride[1] - g.pads[1] + kx * g.dilation[1];
            if (ix < 0 || ix >= w) continue;
            const v = x.data[(plane * h + iy) * w + ix];
            best = Math.max(best, v);
            sum = Math.fround(sum + v);
            valid++;
          }
        }
        out[(plane * oh + y) * ow + xx] = reduce === 'max' ? best : Math.fround(sum / count(valid, g));
      }
    }
  }
  const dims = space.oneD ? [x.dims[0], x.dims[1], ow] : [x.dims[0], x.dims[1], oh, ow];
  return { dims, data: out, isFloat: x.isFloat || reduce === 'average' };
}

export const maxpool: OpHandler = {
  opType: 'MaxPool',
  domain: '',
  evaluate: (ctx) => [evaluatePool(ctx, ctx.inputs[0]!, (h, w, oneD) => maxGeometry(ctx, h, w, oneD), 'max', () => 1)],
  lower: (ctx) => lowerPool(ctx, 'maxpool', (h, w, oneD) => {
    const g = maxGeometry(ctx, h, w, oneD);
    if (g.dilation.some((d) => d !== 1)) throw nodeError(ctx, `dilations [${g.dilation}]`, 'dilation 1 (a dilated max-pool is evaluated on constants only)');
    return g;
  }),
};

/**
 * The pooling layer on the running [1, C, L] or [1, C, H, W] activation (max
 * or average); the result stays NHWC. A max-pool keeps its pads (they never win).
 */
export function lowerPool(ctx: LowerContext, kind: 'maxpool' | 'avgpool', window: (h: number, w: number, oneD: boolean) => Geometry): Lowered {
  const space = spatialOf(ctx.shape);
  if (!space) throw nodeError(ctx, `activation of shape [${ctx.shape}]`, 'a [1, C, L] or [1, C, H, W] activation');
  const c = ctx.shape[1];
  const g = window(space.h, space.w, space.oneD);
  const padded = g.pads.some((p) => p !== 0);
  checkWindow(ctx, { inShape: [space.h, space.w, c], outShape: [g.out[0], g.out[1], c], kernel: g.kernel, stride: g.stride, pads: g.pads });
  const base = {
    name: ctx.label, sources: [ctx.label],
    inShape: [space.h, space.w, c] as Hwc, outShape: [g.out[0], g.out[1], c] as Hwc, kernel: g.kernel, stride: g.stride,
  };
  const layer: MaxPoolLayer | AvgPoolLayer = kind === 'maxpool' ? { kind, ...base, ...(padded ? { pads: g.pads } : {}) } : { kind, ...base };
  const shape = space.oneD ? [1, c, g.out[1]] : [1, c, g.out[0], g.out[1]];
  return { layers: [layer], shape, layout: nchwToNhwc(c, g.out[0], g.out[1]) };
}
