/** Config readers shared by the layer files: every size is checked before it is used. */
import { BnncError } from '../../../errors.ts';
import type { AffineLayer, Hwc, SignLayer } from '../../../ir/types.ts';
import type { Quantizer } from '../quantizers.ts';
import type { ParseContext } from './types.ts';

/** Bounds that keep a hostile config from allocating without limit. */
export const MAX_DIMENSION = 1 << 16;
export const MAX_TENSOR_ELEMENTS = 1 << 26;

export function fail(ctx: ParseContext, message: string, expected?: string, hint?: string): never {
  throw new BnncError(message, { file: ctx.file, where: ctx.where, expected, hint });
}

export function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function checkShape(ctx: ParseContext, shape: readonly number[], what: string): number[] {
  if (!shape.every((d) => Number.isInteger(d) && d >= 1 && d <= MAX_DIMENSION) || count(shape) > MAX_TENSOR_ELEMENTS) {
    fail(ctx, `${what} [${shape.join(', ')}] is not a usable size`, `positive integer dimensions up to ${MAX_DIMENSION}, at most ${MAX_TENSOR_ELEMENTS} elements`);
  }
  return [...shape];
}

/** The input shape, which must be known (an InputLayer or input_shape comes first). */
export function inShape(ctx: ParseContext): number[] {
  if (ctx.inShape === null) fail(ctx, 'the model input shape is unknown', 'an InputLayer or input_shape=(...) on the first layer');
  return ctx.inShape;
}

export function spatialInput(ctx: ParseContext): Hwc {
  const s = inShape(ctx);
  if (s.length !== 3) fail(ctx, `input of shape [${s.join(', ')}]`, 'a [height, width, channels] input (channels last)');
  return [s[0], s[1], s[2]];
}

export function positiveInt(ctx: ParseContext, key: string, fallback?: number): number {
  const v = ctx.layer.config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_DIMENSION) fail(ctx, `${key} = ${JSON.stringify(v)}`, `an integer from 1 to ${MAX_DIMENSION}`);
  return v;
}

/** A Keras 2-D size: an int or a pair [rows, cols]; null takes the fallback. */
export function pair(ctx: ParseContext, key: string, fallback?: [number, number]): [number, number] {
  const v = ctx.layer.config[key] ?? fallback;
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= 1 && d <= MAX_DIMENSION)) {
    fail(ctx, `${key} = ${JSON.stringify(v)}`, 'an integer or a pair of integers >= 1');
  }
  return [p[0] as number, p[1] as number];
}

export function channelsLast(ctx: ParseContext): void {
  const f = ctx.layer.config.data_format;
  if (f !== undefined && f !== null && f !== 'channels_last') {
    fail(ctx, `data_format "${String(f)}"`, 'channels_last (Keras\' default; bnnc\'s NHWC)', 'build the model with data_format="channels_last"');
  }
}

export function paddingMode(ctx: ParseContext): 'valid' | 'same' {
  const p = ctx.layer.config.padding ?? 'valid';
  if (p !== 'valid' && p !== 'same') fail(ctx, `padding "${String(p)}"`, 'valid or same');
  return p;
}

export function booleanFlag(ctx: ParseContext, key: string, fallback: boolean): boolean {
  const v = ctx.layer.config[key] ?? fallback;
  if (typeof v !== 'boolean') fail(ctx, `${key} = ${JSON.stringify(v)}`, 'true or false');
  return v;
}

/** A layer's fused activation: linear, or softmax on the last layer (it does not change the argmax). */
export function fusedActivation(ctx: ParseContext): 'linear' | 'softmax' {
  const a = ctx.layer.config.activation ?? 'linear';
  const name = typeof a === 'string' ? a : (a as { class_name?: unknown })?.class_name;
  if (name === 'linear' || name === null) return 'linear';
  if (name === 'softmax' && ctx.isLast) return 'softmax';
  return fail(ctx, `activation "${String(name)}"`, 'linear, or softmax on the last layer',
    'put binarisation in the next layer\'s input_quantizer (Larq\'s recommended form)');
}

/** TensorFlow's "same" padding per axis: out = ceil(in / stride); the odd extra pixel goes after. */
export function samePads(inSize: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + kernel - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Larq's sign: -1 below 0, +1 otherwise (latent weights of exactly 0.0 become +1). */
export function larqSign(w: number): number {
  return w < 0 ? -1 : 1;
}

/** The source name of a layer's input quantizer: the Larq reference records its output under it. */
export function inputQuantizerSource(layerName: string): string {
  return `${layerName}/input_quantizer`;
}

export function inputSign(name: string, features: number, quantizer: Quantizer | null): SignLayer[] {
  return quantizer ? [{ kind: 'sign', name: `${name}/input_quantizer`, sources: [inputQuantizerSource(name)], features, atZero: 'plus' }] : [];
}

export function channelScale(name: string, features: number, scale: Float32Array, op: 'mul' | 'add', what: string): AffineLayer {
  return { kind: 'affine', name: `${name}/${what}`, sources: [name], features, steps: [{ op, value: scale }] };
}

/**
 * The mean |w| of each output channel (the last axis), MagnitudeAwareSign's
 * scale: summed in float64 and rounded once to float32.
 */
export function magnitudeScale(kernel: Float32Array, outChannels: number): Float32Array {
  const sums = new Float64Array(outChannels);
  for (let i = 0; i < kernel.length; i++) sums[i % outChannels] += Math.abs(kernel[i]);
  const per = kernel.length / outChannels;
  return Float32Array.from(sums, (s) => s / per);
}

export function requireFinite(ctx: ParseContext, values: Float32Array, what: string): Float32Array {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail(ctx, `${what}[${bad}] is ${values[bad]}`, 'finite weights');
  return values;
}
