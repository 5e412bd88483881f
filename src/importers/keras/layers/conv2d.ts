/**
 * keras.layers.Conv2D (full precision): accepted only with a kernel of exactly
 * -1/+1 values. Kernel layout HWIO (kh, kw, in, out); activations channels-last.
 */
import type { Conv2dLayer, FloatLayer, Padding } from '../../../ir/types.ts';
import { parseQuantizer } from '../quantizers.ts';
import {
  booleanFlag, channelScale, channelsLast, checkShape, fail, fusedActivation, inputSign, larqSign, magnitudeScale, pair, paddingMode,
  positiveInt, requireFinite, samePads, spatialInput,
} from './common.ts';
import { requirePlusMinusOne } from './dense.ts';
import type { Conv2dSpec, LayerHandler, LayerSpec, ParseContext } from './types.ts';

const SUPPORTED_CONV = 'groups = 1 and dilation_rate = 1 (grouped, depthwise and dilated convolutions are not in bnnc\'s IR yet)';

function padValue(ctx: ParseContext, quantized: boolean, padding: 'valid' | 'same'): 0 | 1 | -1 {
  const v = quantized ? ctx.layer.config.pad_values ?? 0 : 0;
  if (v !== 0 && v !== 1 && v !== -1) fail(ctx, `pad_values = ${JSON.stringify(v)}`, 'pad_values 0 (zero padding) or 1 (+1 padding; -1 also works)');
  return padding === 'same' ? v : 0;
}

function outputSize(ctx: ParseContext, inSize: number, kernel: number, stride: number, padding: 'valid' | 'same'): number {
  if (padding === 'same') return Math.ceil(inSize / stride);
  if (inSize < kernel) fail(ctx, `kernel ${kernel} is larger than its input (${inSize}) with padding "valid"`, 'a kernel that fits the input');
  return Math.floor((inSize - kernel) / stride) + 1;
}

export function parseConv2d(ctx: ParseContext, quantized: boolean): Conv2dSpec {
  channelsLast(ctx);
  const [h, w, c] = spatialInput(ctx);
  const filters = positiveInt(ctx, 'filters');
  const kernelSize = pair(ctx, 'kernel_size');
  const strides = pair(ctx, 'strides', [1, 1]);
  const dilation = pair(ctx, 'dilation_rate', [1, 1]);
  const groups = positiveInt(ctx, 'groups', 1);
  if (groups !== 1 || dilation[0] !== 1 || dilation[1] !== 1) {
    fail(ctx, `groups = ${groups}, dilation_rate = [${dilation.join(', ')}] is not supported`, SUPPORTED_CONV);
  }
  const padding = paddingMode(ctx);
  fusedActivation(ctx);
  const useBias = booleanFlag(ctx, 'use_bias', true);
  const place = (key: string) => ({ file: ctx.file, where: ctx.where, key });
  const inputQuantizer = quantized ? parseQuantizer(ctx.layer.config.input_quantizer, place('input_quantizer')) : null;
  const kernelQuantizer = quantized ? parseQuantizer(ctx.layer.config.kernel_quantizer, place('kernel_quantizer')) : null;
  const outShape = checkShape(ctx, [outputSize(ctx, h, kernelSize[0], strides[0], padding), outputSize(ctx, w, kernelSize[1], strides[1], padding), filters], 'output');
  const [pt, pb] = padding === 'same' ? samePads(h, kernelSize[0], strides[0]) : [0, 0];
  const [pl, pr] = padding === 'same' ? samePads(w, kernelSize[1], strides[1]) : [0, 0];
  const kernelShape = checkShape(ctx, [kernelSize[0], kernelSize[1], c, filters], 'kernel');
  const [kernel, bias] = ctx.weights.read(ctx.layer, [{ name: 'kernel', shape: kernelShape }, ...(useBias ? [{ name: 'bias', shape: [filters] }] : [])], ctx.where);
  requireFinite(ctx, kernel, 'kernel');
  if (!kernelQuantizer) requirePlusMinusOne(ctx, kernel, filters);
  return {
    kind: 'conv2d', name: ctx.layer.name, className: ctx.layer.className, inShape: [h, w, c], outShape,
    inputQuantizer, kernelQuantizer, kernel, bias: bias ? requireFinite(ctx, bias, 'bias') : null,
    kernelSize, strides, pads: [pt, pl, pb, pr], padValue: padValue(ctx, quantized, padding),
  };
}

const PADDING: Record<Conv2dSpec['padValue'], Padding> = { 0: 'zero', 1: 'plus', [-1]: 'minus' };

/** HWIO kernel -> IR weight [out][kh][kw][in] of quantized values. */
export function conv2dToIr(spec: Conv2dSpec): FloatLayer[] {
  const [kh, kw] = spec.kernelSize;
  const [h, w, c] = spec.inShape;
  const [oh, ow, oc] = spec.outShape;
  const weight = new Float32Array(spec.kernel.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < c; i++) for (let o = 0; o < oc; o++) {
    weight[((o * kh + y) * kw + x) * c + i] = larqSign(spec.kernel[((y * kw + x) * c + i) * oc + o]);
  }
  const scaled = spec.kernelQuantizer?.kind === 'magnitude_aware_sign';
  const outFeatures = oh * ow * oc;
  const conv: Conv2dLayer = {
    kind: 'conv2d', name: spec.name, sources: [spec.name], inShape: [h, w, c], outShape: [oh, ow, oc],
    kernel: spec.kernelSize, stride: spec.strides, pads: spec.pads, padding: PADDING[spec.padValue], weight, bias: scaled ? null : spec.bias,
  };
  return [
    ...inputSign(spec.name, h * w * c, spec.inputQuantizer),
    conv,
    ...(scaled ? [channelScale(spec.name, outFeatures, magnitudeScale(spec.kernel, oc), 'mul', 'magnitude_aware_sign')] : []),
    ...(scaled && spec.bias ? [channelScale(spec.name, outFeatures, spec.bias, 'add', 'bias')] : []),
  ];
}

export const conv2dHandler: LayerHandler = {
  className: 'Conv2D',
  parse: (ctx) => parseConv2d(ctx, false),
  toIr: (spec: LayerSpec) => conv2dToIr(spec as Conv2dSpec),
};
