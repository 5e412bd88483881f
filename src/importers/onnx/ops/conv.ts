/**
 * Conv (2-D, groups 1, dilation 1): the activation [1, C, H, W] with constant
 * weights [OC, C, KH, KW] and optional bias. Padding with float zero (ONNX's
 * only kind): taps outside the input contribute 0. bnnc keeps the result NHWC.
 */
import type { Conv2dLayer, Hwc } from '../../../ir/types.ts';
import { intsAttr, nchwToNhwc, nodeError, requireFinite, requireNonEmpty } from '../common.ts';
import type { NodeInfo, OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';
import { C_CONV_WINDOW_MAX, requireFoldWork, windowProblem, type WindowGeometry } from '../../limits.ts';

export interface Geometry {
  kernel: [number, number];
  stride: [number, number];
  pads: [number, number, number, number];
  out: [number, number];
}

/** An ints attribute of exactly `length` whole numbers >= `min`, or the fallback when absent. */
function windowAttr(info: NodeInfo, name: string, length: number, min: number, fallback: number[]): number[] {
  const values = intsAttr(info, name) ?? fallback;
  if (values.length !== length || values.some((v) => !Number.isSafeInteger(v) || v < min || v > C_CONV_WINDOW_MAX)) {
    throw nodeError(info, `${name} [${values}]`, `${length} whole numbers in ${min}..${C_CONV_WINDOW_MAX} (the C kernels' int8_t fields)`);
  }
  return values;
}

/** Output size and explicit pads from kernel_shape, strides, pads / auto_pad, for pooling too. */
export function geometry(info: NodeInfo, h: number, w: number, kernel: [number, number]): Geometry {
  if (kernel.some((k) => !Number.isSafeInteger(k) || k < 1 || k > C_CONV_WINDOW_MAX)) {
    throw nodeError(info, `kernel ${kernel.join('x')}`, `a 2-D kernel of 1..${C_CONV_WINDOW_MAX} per axis (the C kernels' int8_t fields)`);
  }
  const strides = windowAttr(info, 'strides', 2, 1, [1, 1]);
  const dilations = windowAttr(info, 'dilations', 2, 1, [1, 1]);
  if (dilations.some((d) => d !== 1)) throw nodeError(info, `dilations [${dilations}]`, 'dilation 1');
  const stride: [number, number] = [strides[0], strides[1]];
  const autoPad = info.attrs.get('auto_pad');
  let pads: [number, number, number, number];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = [h, w].map((size, i) => Math.max((Math.ceil(size / stride[i]) - 1) * stride[i] + kernel[i] - size, 0));
    const small = total.map((t) => Math.floor(t / 2));
    const large = total.map((t, i) => t - small[i]);
    pads = autoPad === 'SAME_UPPER' ? [small[0], small[1], large[0], large[1]] : [large[0], large[1], small[0], small[1]];
  } else if (autoPad === undefined || autoPad === 'NOTSET' || autoPad === 'VALID') {
    const p = autoPad === 'VALID' ? [0, 0, 0, 0] : windowAttr(info, 'pads', 4, 0, [0, 0, 0, 0]);
    pads = [p[0], p[1], p[2], p[3]];
  } else {
    throw nodeError(info, `auto_pad = ${JSON.stringify(autoPad)}`, 'NOTSET, VALID, SAME_UPPER or SAME_LOWER');
  }
  const out: [number, number] = [
    Math.floor((h + pads[0] + pads[2] - kernel[0]) / stride[0]) + 1,
    Math.floor((w + pads[1] + pads[3] - kernel[1]) / stride[1]) + 1,
  ];
  if (out[0] < 1 || out[1] < 1) throw nodeError(info, `a ${kernel.join('x')} window does not fit a ${h}x${w} input`, 'an output of at least 1x1');
  return { kernel, stride, pads, out };
}

/** The full layer geometry against the shapes and the C parameter widths (see ../../limits.ts). */
export function checkWindow(info: NodeInfo, g: WindowGeometry): void {
  const problem = windowProblem(g);
  if (problem) throw nodeError(info, problem, 'a window geometry the C kernels can run');
}

function checkGroups(info: NodeInfo): void {
  const group = info.attrs.get('group');
  if (group !== undefined && group !== 1) throw nodeError(info, `group = ${group}`, 'group = 1 (no grouped or depthwise convolution yet)');
}

/** Float32 convolution in NCHW, accumulated over (c, ky, kx) in order: the float reference. */
function evaluateConv(x: ConstTensor, wt: ConstTensor, bias: ConstTensor | null, g: Geometry): ConstTensor {
  const [, c, h, w] = x.dims;
  const [oc, , kh, kw] = wt.dims;
  const [oh, ow] = g.out;
  const out = new Float64Array(oc * oh * ow);
  for (let o = 0; o < oc; o++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let acc = 0;
        for (let ch = 0; ch < c; ch++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = y * g.stride[0] - g.pads[0] + ky;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = xx * g.stride[1] - g.pads[1] + kx;
              if (ix < 0 || ix >= w) continue;
              acc = Math.fround(acc + Math.fround(x.data[(ch * h + iy) * w + ix] * wt.data[((o * c + ch) * kh + ky) * kw + kx]));
            }
          }
        }
        out[(o * oh + y) * ow + xx] = bias ? Math.fround(acc + bias.data[o]) : acc;
      }
    }
  }
  return { dims: [1, oc, oh, ow], data: out, isFloat: true };
}

export const conv: OpHandler = {
  opType: 'Conv',
  domain: '',
  requiredInputs: 2,
  evaluate: (ctx) => {
    const [x, wt, bias] = ctx.inputs;
    checkGroups(ctx);
    if (x!.dims.length !== 4 || x!.dims[0] !== 1) throw nodeError(ctx, `input of shape [${x!.dims}]`, 'a 2-D convolution on [1, C, H, W]');
    if (wt!.dims.length !== 4 || wt!.dims[1] !== x!.dims[1]) throw nodeError(ctx, `weights of shape [${wt!.dims}] for an input of shape [${x!.dims}]`, `[OC, ${x!.dims[1]}, KH, KW] weights`);
    const g = geometry(ctx, x!.dims[2], x!.dims[3], [wt!.dims[2], wt!.dims[3]]);
    if (bias && bias.data.length !== wt!.dims[0]) throw nodeError(ctx, `bias of shape [${bias.dims}]`, `${wt!.dims[0]} values`);
    requireFoldWork(wt!.data.length * g.out[0] * g.out[1]);
    return [evaluateConv(x!, wt!, bias ?? null, g)];
  },
  lower: (ctx) => {
    checkGroups(ctx);
    const wt = ctx.consts[1];
    if (!wt || wt.dims.length !== 4) throw nodeError(ctx, 'the weights are not a constant [OC, C, KH, KW] tensor', 'constant 2-D convolution weights');
    requireFinite(ctx, wt, 'the weights');
    if (ctx.shape.length !== 4) throw nodeError(ctx, `activation of shape [${ctx.shape}]`, 'a [1, C, H, W] activation (2-D convolution)');
    const [, c, h, w] = ctx.shape;
    const [oc, wc, kh, kw] = wt.dims;
    if (wc !== c) throw nodeError(ctx, `weights for ${wc} input channels, the activation has ${c}`, `${c} input channels`);
    requireNonEmpty(ctx, wt, 'the weights');
    const declared = intsAttr(ctx, 'kernel_shape');
    if (declared && (declared.length !== 2 || declared[0] !== kh || declared[1] !== kw)) {
      throw nodeError(ctx, `kernel_shape [${declared}] does not match the ${kh}x${kw} weights`, `kernel_shape [${kh}, ${kw}] (or none)`);
    }
    const g = geometry(ctx, h, w, [kh, kw]);
    checkWindow(ctx, { inShape: [h, w, c], outShape: [g.out[0], g.out[1], oc], kernel: g.kernel, stride: g.stride, pads: g.pads });
    const weight = new Float32Array(oc * kh * kw * c);
    for (let o = 0; o < oc; o++) for (let ch = 0; ch < c; ch++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      weight[((o * kh + ky) * kw + kx) * c + ch] = wt.data[((o * c + ch) * kh + ky) * kw + kx];
    }
    const b = ctx.consts[2];
    if (b) {
      requireFinite(ctx, b, 'the bias');
      if (b.data.length !== oc) throw nodeError(ctx, `bias of shape [${b.dims}]`, `${oc} values (one per output channel)`);
    }
    const layer: Conv2dLayer = {
      kind: 'conv2d', name: ctx.label, sources: [ctx.label],
      inShape: [h, w, c] as Hwc, outShape: [g.out[0], g.out[1], oc] as Hwc,
      kernel: g.kernel, stride: g.stride, pads: g.pads, padding: 'zero',
      weight, bias: b ? Float32Array.from(b.data) : null,
    };
    return { layers: [layer], shape: [1, oc, g.out[0], g.out[1]], layout: nchwToNhwc(oc, g.out[0], g.out[1]) };
  },
};
