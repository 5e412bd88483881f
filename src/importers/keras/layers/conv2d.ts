/**
 * keras.layers.Conv2D (full precision): accepted only with a kernel of exactly
 * -1/+1 values. Kernel layout HWIO (kh, kw, in / groups, out); activations
 * channels-last. Also the parsing and IR translation of QuantConv2D and
 * QuantDepthwiseConv2D: groups and dilation_rate map onto the IR's grouped,
 * dilated Conv2dLayer (a depthwise layer is groups = input channels).
 */
import type { Conv2dLayer, FloatLayer, Padding } from '../../../ir/types.ts';
import { parseQuantizer } from '../quantizers.ts';
import {
  booleanFlag, channelScale, channelsLast, checkShape, fail, fusedActivation, inputSign, larqSign, magnitudeScale, pair, paddingMode,
  positiveInt, requireFinite, samePads, spatialInput,
} from './common.ts';
import { requirePlusMinusOne } from './dense.ts';
import type { Conv2dSpec, LayerHandler, LayerSpec, ParseContext } from './types.ts';

function padValue(ctx: ParseContext, quantized: boolean, padding: 'valid' | 'same'): 0 | 1 | -1 {
  const v = quantized ? ctx.layer.config.pad_values ?? 0 : 0;
  if (v !== 0 && v !== 1 && v !== -1) fail(ctx, `pad_values = ${JSON.stringify(v)}`, 'pad_values 0 (zero padding) or 1 (+1 padding; -1 also works)');
  return padding === 'same' ? v : 0;
}

/** Output size along one axis (TensorFlow's conv_output_length): the window spans dilation * (kernel - 1) + 1 inputs. */
function outputSize(ctx: ParseContext, inSize: number, span: number, stride: number, padding: 'valid' | 'same'): number {
  if (padding === 'same') return Math.ceil(inSize / stride);
  if (inSize < span) fail(ctx, `kernel window ${span} is larger than its input (${inSize}) with padding "valid"`, 'a (dilated) kernel that fits the input');
  return Math.floor((inSize - span) / stride) + 1;
}

/** The window options shared by Conv2D and DepthwiseConv2D, with the output size and the "same" pads. */
interface Window {
  kernelSize: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: 'valid' | 'same';
  out: [number, number];
  pads: [number, number, number, number];
}

function parseWindow(ctx: ParseContext, h: number, w: number): Window {
  const kernelSize = pair(ctx, 'kernel_size');
  const strides = pair(ctx, 'strides', [1, 1]);
  const dilation = pair(ctx, 'dilation_rate', [1, 1]);
  const padding = paddingMode(ctx);
  const span = kernelSize.map((k, i) => dilation[i] * (k - 1) + 1);
  const out: [number, number] = [outputSize(ctx, h, span[0], strides[0], padding), outputSize(ctx, w, span[1], strides[1], padding)];
  const [pt, pb] = padding === 'same' ? samePads(h, span[0], strides[0]) : [0, 0];
  const [pl, pr] = padding === 'same' ? samePads(w, span[1], strides[1]) : [0, 0];
  return { kernelSize, strides, dilation, padding, out, pads: [pt, pl, pb, pr] };
}

/** The layer's quantizers (none for a full-precision layer); the kernel quantizer key differs per class. */
function quantizers(ctx: ParseContext, quantized: boolean, kernelKey: string): Pick<Conv2dSpec, 'inputQuantizer' | 'kernelQuantizer'> {
  const place = (key: string) => ({ file: ctx.file, where: ctx.where, key });
  return {
    inputQuantizer: quantized ? parseQuantizer(ctx.layer.config.input_quantizer, place('input_quantizer')) : null,
    kernelQuantizer: quantized ? parseQuantizer(ctx.layer.config[kernelKey], place(kernelKey)) : null,
  };
}

function readKernel(ctx: ParseContext, kernelName: string, kernelShape: number[], useBias: boolean, outChannels: number): [Float32Array, Float32Array | null] {
  const [kernel, bias] = ctx.weights.read(ctx.layer, [{ name: kernelName, shape: kernelShape }, ...(useBias ? [{ name: 'bias', shape: [outChannels] }] : [])], ctx.where);
  return [requireFinite(ctx, kernel, kernelName), bias ? requireFinite(ctx, bias, 'bias') : null];
}

/**
 * bnnc's grouped/dilated binary convolution pads with float zeros only: a
 * grouped, depthwise or dilated layer that pads with +-1 is refused.
 */
function requireZeroPadding(ctx: ParseContext, window: Window, padValue: 0 | 1 | -1, grouped: boolean): 0 | 1 | -1 {
  const dilated = window.dilation[0] > 1 || window.dilation[1] > 1;
  if (padValue !== 0 && (grouped || dilated) && window.pads.some((p) => p > 0)) {
    fail(ctx, `pad_values = ${padValue} with padding "same" on a ${grouped ? 'grouped or depthwise' : 'dilated'} convolution`,
      'pad_values 0 on grouped, depthwise and dilated convolutions (bnnc pads them with zeros only)',
      'train the layer with pad_values=0, or with padding="valid"');
  }
  return padValue;
}

/** Conv2D / QuantConv2D, with groups (a count dividing both channel counts) and dilation_rate. */
export function parseConv2d(ctx: ParseContext, quantized: boolean): Conv2dSpec {
  channelsLast(ctx);
  const [h, w, c] = spatialInput(ctx);
  const filters = positiveInt(ctx, 'filters');
  const groups = positiveInt(ctx, 'groups', 1);
  if (c % groups !== 0 || filters % groups !== 0) {
    fail(ctx, `groups = ${groups} for ${c} input channels and ${filters} filters`, 'a group count that divides both the input channels and filters');
  }
  const window = parseWindow(ctx, h, w);
  fusedActivation(ctx);
  const useBias = booleanFlag(ctx, 'use_bias', true);
  const q = quantizers(ctx, quantized, 'kernel_quantizer');
  const outShape = checkShape(ctx, [...window.out, filters], 'output');
  const kernelShape = checkShape(ctx, [...window.kernelSize, c / groups, filters], 'kernel');
  const [kernel, bias] = readKernel(ctx, 'kernel', kernelShape, useBias, filters);
  if (!q.kernelQuantizer) requirePlusMinusOne(ctx, kernel, filters);
  return {
    kind: 'conv2d', name: ctx.layer.name, className: ctx.layer.className, inShape: [h, w, c], outShape, ...q, kernel, bias,
    kernelSize: window.kernelSize, strides: window.strides, dilation: window.dilation, groups, depthMultiplier: null,
    pads: window.pads, padValue: requireZeroPadding(ctx, window, padValue(ctx, quantized, window.padding), groups > 1),
  };
}

/** QuantDepthwiseConv2D: kernel [kh, kw, in, depth_multiplier], output channel c * depth_multiplier + m. */
export function parseDepthwiseConv2d(ctx: ParseContext): Conv2dSpec {
  channelsLast(ctx);
  const [h, w, c] = spatialInput(ctx);
  const multiplier = positiveInt(ctx, 'depth_multiplier', 1);
  const window = parseWindow(ctx, h, w);
  fusedActivation(ctx);
  const useBias = booleanFlag(ctx, 'use_bias', true);
  const q = quantizers(ctx, true, 'depthwise_quantizer');
  const outShape = checkShape(ctx, [...window.out, c * multiplier], 'output');
  const kernelShape = checkShape(ctx, [...window.kernelSize, c, multiplier], 'depthwise kernel');
  const [kernel, bias] = readKernel(ctx, 'depthwise_kernel', kernelShape, useBias, c * multiplier);
  if (!q.kernelQuantizer) requirePlusMinusOne(ctx, kernel, multiplier);
  return {
    kind: 'conv2d', name: ctx.layer.name, className: ctx.layer.className, inShape: [h, w, c], outShape, ...q, kernel, bias,
    kernelSize: window.kernelSize, strides: window.strides, dilation: window.dilation, groups: c, depthMultiplier: multiplier,
    pads: window.pads, padValue: requireZeroPadding(ctx, window, padValue(ctx, true, window.padding), true),
  };
}

const PADDING: Record<Conv2dSpec['padValue'], Padding> = { 0: 'zero', 1: 'plus', [-1]: 'minus' };

/**
 * The stored kernel index of output channel o, tap (y, x), input channel i of its group:
 * HWIO [kh][kw][in / groups][out], or depthwise [kh][kw][in][multiplier] where
 * o = c * multiplier + m reads input channel c (its group, of one channel).
 */
function kernelIndex(spec: Conv2dSpec, o: number, y: number, x: number, i: number): number {
  const [, kw] = spec.kernelSize;
  const oc = spec.outShape[2];
  if (spec.depthMultiplier !== null) return ((y * kw + x) * spec.inShape[2] + Math.floor(o / spec.depthMultiplier)) * spec.depthMultiplier + o % spec.depthMultiplier;
  return ((y * kw + x) * (spec.inShape[2] / spec.groups) + i) * oc + o;
}

/** MagnitudeAwareSign's scale per output channel: mean |w| over all kernel axes but the last (a depthwise layer's multiplier axis). */
function outputChannelScale(spec: Conv2dSpec): Float32Array {
  const oc = spec.outShape[2];
  if (spec.depthMultiplier === null) return magnitudeScale(spec.kernel, oc);
  const perMultiplier = magnitudeScale(spec.kernel, spec.depthMultiplier);
  return Float32Array.from({ length: oc }, (_, o) => perMultiplier[o % spec.depthMultiplier!]);
}

/** Kernel -> IR weight [out][kh][kw][in of the group] of quantized values, with the groups and dilation of the layer. */
export function conv2dToIr(spec: Conv2dSpec): FloatLayer[] {
  const [kh, kw] = spec.kernelSize;
  const [h, w, c] = spec.inShape;
  const [oh, ow, oc] = spec.outShape;
  const groupC = c / spec.groups;
  const weight = new Float32Array(spec.kernel.length);
  for (let o = 0; o < oc; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < groupC; i++) {
    weight[((o * kh + y) * kw + x) * groupC + i] = larqSign(spec.kernel[kernelIndex(spec, o, y, x, i)]);
  }
  const scaled = spec.kernelQuantizer?.kind === 'magnitude_aware_sign';
  const outFeatures = oh * ow * oc;
  const dilated = spec.dilation[0] > 1 || spec.dilation[1] > 1;
  const conv: Conv2dLayer = {
    kind: 'conv2d', name: spec.name, sources: [spec.name], inShape: [h, w, c], outShape: [oh, ow, oc],
    kernel: spec.kernelSize, stride: spec.strides, pads: spec.pads, padding: PADDING[spec.padValue], weight, bias: scaled ? null : spec.bias,
    ...(spec.groups > 1 ? { groups: spec.groups } : {}),
    ...(dilated ? { dilation: spec.dilation } : {}),
  };
  return [
    ...inputSign(spec.name, h * w * c, spec.inputQuantizer),
    conv,
    ...(scaled ? [channelScale(spec.name, outFeatures, outputChannelScale(spec), 'mul', 'magnitude_aware_sign')] : []),
    ...(scaled && spec.bias ? [channelScale(spec.name, outFeatures, spec.bias, 'add', 'bias')] : []),
  ];
}

export const conv2dHandler: LayerHandler = {
  className: 'Conv2D',
  parse: (ctx) => parseConv2d(ctx, false),
  toIr: (spec: LayerSpec) => conv2dToIr(spec as Conv2dSpec),
};
