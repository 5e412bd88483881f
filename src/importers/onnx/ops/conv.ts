/**
 * Conv: the activation [1, C, H, W] (or [1, C, L], 1-D, run as height 1) with
 * constant weights [OC, C, KH, KW] ([OC, C, K]) and optional bias. Padding with
 * float zero (ONNX's only kind, also from a zero Pad node before it): taps
 * outside the input contribute 0. bnnc keeps the result NHWC. Groups
 * (depthwise too) and dilation lower to the grouped binary convolution.
 */
import type { Conv2dLayer, Hwc } from '../../../ir/types.ts';
import { intAttr, intsAttr, nchwToNhwc, nodeError, requireFinite, requireNonEmpty } from '../common.ts';
import type { NodeInfo, OpHandler, PendingPad } from '../op.ts';
import type { ConstTensor } from '../proto.ts';
import { C_CONV_WINDOW_MAX, requireFoldWork, windowProblem, type WindowGeometry } from '../../limits.ts';

export interface Geometry {
  kernel: [number, number];
  stride: [number, number];
  pads: [number, number, number, number];
  dilation: [number, number];
  out: [number, number];
}

/**
 * The spatial axes of an activation or tensor of shape [N, C, L] (1-D: bnnc runs
 * it as height 1, width L) or [N, C, H, W]; null for any other rank.
 */
export function spatialOf(dims: readonly number[]): { h: number; w: number; oneD: boolean } | null {
  if (dims.length === 3) return { h: 1, w: dims[2], oneD: true };
  if (dims.length === 4) return { h: dims[2], w: dims[3], oneD: false };
  return null;
}

/** An ints attribute of exactly `length` whole numbers >= `min`, or the fallback when absent. */
function windowAttr(info: NodeInfo, name: string, length: number, min: number, fallback: number[]): number[] {
  const values = intsAttr(info, name) ?? fallback;
  if (values.length !== length || values.some((v) => !Number.isSafeInteger(v) || v < min || v > C_CONV_WINDOW_MAX)) {
    throw nodeError(info, `${name} [${values}]`, `${length} whole numbers in ${min}..${C_CONV_WINDOW_MAX} (the C kernels' int8_t fields)`);
  }
  return values;
}

/** A 1-D attribute [a] (or pads [begin, end]) lifted to the 2-D form with height 1. */
function lift(values: number[], oneD: boolean, isPads: boolean, heightValue: number): number[] {
  if (!oneD) return values;
  return isPads ? [0, values[0], 0, values[1]] : [heightValue, values[0]];
}

/**
 * Output size and explicit pads from kernel_shape, strides, dilations, pads / auto_pad,
 * for pooling too; a 1-D window (oneD) is the 2-D one of height 1. The kernel is
 * the 2-D one ([1, k] for 1-D). Dilation is refused unless `dilated` allows it.
 */
export function geometry(info: NodeInfo, h: number, w: number, kernel: [number, number], oneD = false, dilated = false): Geometry {
  if (kernel.some((k) => !Number.isSafeInteger(k) || k < 1 || k > C_CONV_WINDOW_MAX)) {
    throw nodeError(info, `kernel ${kernel.join('x')}`, `a kernel of 1..${C_CONV_WINDOW_MAX} per axis (the C kernels' int8_t fields)`);
  }
  const axes = oneD ? 1 : 2;
  const strides = lift(windowAttr(info, 'strides', axes, 1, Array(axes).fill(1)), oneD, false, 1);
  const dilations = lift(windowAttr(info, 'dilations', axes, 1, Array(axes).fill(1)), oneD, false, 1);
  if (!dilated && dilations.some((d) => d !== 1)) throw nodeError(info, `dilations [${dilations}]`, 'dilation 1');
  const stride: [number, number] = [strides[0], strides[1]];
  const dilation: [number, number] = [dilations[0], dilations[1]];
  const span = kernel.map((k, i) => dilation[i] * (k - 1) + 1);
  const autoPad = info.attrs.get('auto_pad');
  let pads: [number, number, number, number];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = [h, w].map((size, i) => Math.max((Math.ceil(size / stride[i]) - 1) * stride[i] + span[i] - size, 0));
    const small = total.map((t) => Math.floor(t / 2));
    const large = total.map((t, i) => t - small[i]);
    pads = autoPad === 'SAME_UPPER' ? [small[0], small[1], large[0], large[1]] : [large[0], large[1], small[0], small[1]];
  } else if (autoPad === undefined || autoPad === 'NOTSET' || autoPad === 'VALID') {
    const p = autoPad === 'VALID' ? [0, 0, 0, 0] : lift(windowAttr(info, 'pads', 2 * axes, 0, Array(2 * axes).fill(0)), oneD, true, 0);
    pads = [p[0], p[1], p[2], p[3]];
  } else {
    throw nodeError(info, `auto_pad = ${JSON.stringify(autoPad)}`, 'NOTSET, VALID, SAME_UPPER or SAME_LOWER');
  }
  const out: [number, number] = [
    Math.floor((h + pads[0] + pads[2] - span[0]) / stride[0]) + 1,
    Math.floor((w + pads[1] + pads[3] - span[1]) / stride[1]) + 1,
  ];
  if (out[0] < 1 || out[1] < 1) throw nodeError(info, `a ${kernel.join('x')} window does not fit a ${h}x${w} input`, 'an output of at least 1x1');
  return { kernel, stride, pads, dilation, out };
}

/** The full layer geometry against the shapes and the C parameter widths (see ../../limits.ts). */
export function checkWindow(info: NodeInfo, g: WindowGeometry): void {
  const problem = windowProblem(g);
  if (problem) throw nodeError(info, problem, 'a window geometry the C kernels can run');
}

/** The group attribute: a count that divides both channel counts. */
function groupsOf(info: NodeInfo, c: number, oc: number): number {
  const group = intAttr(info, 'group', 1);
  if (group < 1 || c % group !== 0 || oc % group !== 0) {
    throw nodeError(info, `group = ${group} for ${c} input and ${oc} output channels`, 'a group count that divides both channel counts');
  }
  return group;
}

/** Float32 convolution in NCHW (height 1 for 1-D), each output accumulated over (c, ky, kx) of its group in order: the float reference. */
function evaluateConv(x: ConstTensor, wt: ConstTensor, bias: ConstTensor | null, g: Geometry, groups: number, h: number, w: number): ConstTensor {
  const c = x.dims[1];
  const oc = wt.dims[0];
  const [kh, kw] = g.kernel;
  const groupC = c / groups;
  const groupOc = oc / groups;
  const [oh, ow] = g.out;
  const out = new Float64Array(oc * oh * ow);
  for (let o = 0; o < oc; o++) {
    const first = Math.floor(o / groupOc) * groupC;
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let acc = 0;
        for (let gc = 0; gc < groupC; gc++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = y * g.stride[0] - g.pads[0] + ky * g.dilation[0];
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = xx * g.stride[1] - g.pads[1] + kx * g.dilation[1];
              if (ix < 0 || ix >= w) continue;
              acc = Math.fround(acc + Math.fround(x.data[((first + gc) * h + iy) * w + ix] * wt.data[((o * groupC + gc) * kh + ky) * kw + kx]));
            }
          }
        }
        out[(o * oh + y) * ow + xx] = bias ? Math.fround(acc + bias.data[o]) : acc;
      }
    }
  }
  return { dims: x.dims.length === 3 ? [1, oc, ow] : [1, oc, oh, ow], data: out, isFloat: true };
}

/** The 2-D kernel of [OC, C/group, K] (1-D: height 1) or [OC, C/group, KH, KW] weights. */
function kernelOf(wt: ConstTensor): [number, number] {
  return wt.dims.length === 3 ? [1, wt.dims[2]] : [wt.dims[2], wt.dims[3]];
}

export const conv: OpHandler = {
  opType: 'Conv',
  domain: '',
  requiredInputs: 2,
  foldsPad: true,
  evaluate: (ctx) => {
    const [x, wt, bias] = ctx.inputs;
    const space = spatialOf(x!.dims);
    if (!space || x!.dims[0] !== 1) throw nodeError(ctx, `input of shape [${x!.dims}]`, 'a 1-D or 2-D convolution on [1, C, L] or [1, C, H, W]');
    const groups = groupsOf(ctx, x!.dims[1], wt!.dims[0] ?? 0);
    if (wt!.dims.length !== x!.dims.length || wt!.dims[1] * groups !== x!.dims[1]) {
      throw nodeError(ctx, `weights of shape [${wt!.dims}] for an input of shape [${x!.dims}] in ${groups} group(s)`, `[OC, ${x!.dims[1] / groups}, kernel...] weights`);
    }
    const g = geometry(ctx, space.h, space.w, kernelOf(wt!), space.oneD, true);
    if (bias && bias.data.length !== wt!.dims[0]) throw nodeError(ctx, `bias of shape [${bias.dims}]`, `${wt!.dims[0]} values`);
    requireFoldWork(wt!.data.length * g.out[0] * g.out[1]);
    return [evaluateConv(x!, wt!, bias ?? null, g, groups, space.h, space.w)];
  },
  lower: (ctx) => {
    const wt = ctx.consts[1];
    if (!wt || (wt.dims.length !== 3 && wt.dims.length !== 4)) throw nodeError(ctx, 'the weights are not a constant [OC, C, K] or [OC, C, KH, KW] tensor', 'constant convolution weights');
    requireFinite(ctx, wt, 'the weights');
    const space = spatialOf(ctx.shape);
    if (!space || ctx.shape.length !== wt.dims.length) {
      throw nodeError(ctx, `activation of shape [${ctx.shape}] with weights of shape [${wt.dims}]`, 'a [1, C, L] activation with [OC, C, K] weights (1-D) or [1, C, H, W] with [OC, C, KH, KW] (2-D)');
    }
    const c = ctx.shape[1];
    const [oc, wc] = wt.dims;
    const [kh, kw] = kernelOf(wt);
    const groups = groupsOf(ctx, c, oc);
    const groupC = c / groups;
    if (wc !== groupC) throw nodeError(ctx, `weights for ${wc} input channels per group, the activation has ${c} in ${groups} group(s)`, `${groupC} input channels per group`);
    requireNonEmpty(ctx, wt, 'the weights');
    const declared = intsAttr(ctx, 'kernel_shape');
    const expectedKernel = space.oneD ? [kw] : [kh, kw];
    if (declared && (declared.length !== expectedKernel.length || declared.some((k, i) => k !== expectedKernel[i]))) {
      throw nodeError(ctx, `kernel_shape [${declared}] does not match the ${expectedKernel.join('x')} weights`, `kernel_shape [${expectedKernel}] (or none)`);
    }
    const g = geometry(ctx, space.h, space.w, [kh, kw], space.oneD, true);
    const { h, w, pads } = withPendingPad(ctx.pendingPad, space, g.pads);
    checkWindow(ctx, { inShape: [h, w, c], outShape: [g.out[0], g.out[1], oc], kernel: g.kernel, stride: g.stride, pads, dilation: g.dilation });
    const weight = new Float32Array(oc * kh * kw * groupC);
    for (let o = 0; o < oc; o++) for (let ch = 0; ch < groupC; ch++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      weight[((o * kh + ky) * kw + kx) * groupC + ch] = wt.data[((o * groupC + ch) * kh + ky) * kw + kx];
    }
    const b = ctx.consts[2];
    if (b) {
      requireFinite(ctx, b, 'the bias');
      if (b.data.length !== oc) throw nodeError(ctx, `bias of shape [${b.dims}]`, `${oc} values (one per output channel)`);
    }
    const layer: Conv2dLayer = {
      kind: 'conv2d', name: ctx.label, sources: [...(ctx.pendingPad ? [ctx.pendingPad.label] : []), ctx.label],
      inShape: [h, w, c] as Hwc, outShape: [g.out[0], g.out[1], oc] as Hwc,
      kernel: g.kernel, stride: g.stride, pads, padding: 'zero',
      weight, bias: b ? Float32Array.from(b.data) : null,
      ...(groups > 1 ? { groups } : {}),
      ...(g.dilation[0] > 1 || g.dilation[1] > 1 ? { dilation: g.dilation } : {}),
    };
    const shape = space.oneD ? [1, oc, g.out[1]] : [1, oc, g.out[0], g.out[1]];
    return { layers: [layer], shape, layout: nchwToNhwc(oc, g.out[0], g.out[1]) };
  },
};

/** The input size and pads once a preceding zero Pad is folded in: the unpadded input, the Pad's zeros added to the node's own. */
function withPendingPad(pending: PendingPad | undefined, padded: { h: number; w: number }, own: Geometry['pads']): { h: number; w: number; pads: Geometry['pads'] } {
  if (!pending) return { h: padded.h, w: padded.w, pads: own };
  const space = spatialOf(pending.shape)!;
  const pads = own.map((p, i) => p + pending.pads[i]) as Geometry['pads'];
  return { h: space.h, w: space.w, pads };
}
