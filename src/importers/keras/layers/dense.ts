/**
 * keras.layers.Dense (full precision): accepted only when every kernel value
 * is exactly -1 or +1, so it is a binary layer that was trained or exported
 * without a Larq quantizer. Kernel layout (in, out).
 */
import type { DenseLayer, FloatLayer } from '../../../ir/types.ts';
import { parseQuantizer } from '../quantizers.ts';
import {
  booleanFlag, channelScale, checkShape, fail, fusedActivation, inputSign, inShape, larqSign, magnitudeScale, positiveInt, requireFinite,
} from './common.ts';
import type { DenseSpec, LayerHandler, LayerSpec, ParseContext } from './types.ts';

export function parseDense(ctx: ParseContext, quantized: boolean): DenseSpec {
  const s = inShape(ctx);
  if (s.length !== 1) fail(ctx, `input of shape [${s.join(', ')}]`, 'a flat input', 'put a Flatten layer before the dense layer');
  const units = positiveInt(ctx, 'units');
  fusedActivation(ctx);
  const useBias = booleanFlag(ctx, 'use_bias', true);
  const place = (key: string) => ({ file: ctx.file, where: ctx.where, key });
  const inputQuantizer = quantized ? parseQuantizer(ctx.layer.config.input_quantizer, place('input_quantizer')) : null;
  const kernelQuantizer = quantized ? parseQuantizer(ctx.layer.config.kernel_quantizer, place('kernel_quantizer')) : null;
  const kernelShape = checkShape(ctx, [s[0], units], 'kernel');
  const [kernel, bias] = ctx.weights.read(ctx.layer, [{ name: 'kernel', shape: kernelShape }, ...(useBias ? [{ name: 'bias', shape: [units] }] : [])], ctx.where);
  requireFinite(ctx, kernel, 'kernel');
  if (!kernelQuantizer) requirePlusMinusOne(ctx, kernel, units);
  return {
    kind: 'dense', name: ctx.layer.name, className: ctx.layer.className, inShape: s, outShape: [units],
    inputQuantizer, kernelQuantizer, kernel, bias: bias ? requireFinite(ctx, bias, 'bias') : null,
  };
}

/** A kernel without a quantizer must already be binary. */
export function requirePlusMinusOne(ctx: ParseContext, kernel: Float32Array, outChannels: number): void {
  const bad = kernel.findIndex((w) => w !== 1 && w !== -1);
  if (bad < 0) return;
  fail(ctx, `full-precision kernel value ${kernel[bad]} at flat index ${bad} (output channel ${bad % outChannels})`,
    'a binary layer: every kernel value -1 or +1 (bnnc runs full-precision Dense/Conv2D only with such kernels)',
    'use a Larq layer with kernel_quantizer="ste_sign" (lq.layers.QuantDense / QuantConv2D)');
}

/** Kernel (in, out) -> IR weight [out][in] of quantized values; the magnitude-aware scale follows as an affine step. */
export function denseToIr(spec: DenseSpec): FloatLayer[] {
  const [inF] = spec.inShape;
  const [units] = spec.outShape;
  const weight = new Float32Array(inF * units);
  for (let i = 0; i < inF; i++) for (let o = 0; o < units; o++) weight[o * inF + i] = larqSign(spec.kernel[i * units + o]);
  const scaled = spec.kernelQuantizer?.kind === 'magnitude_aware_sign';
  const dense: DenseLayer = { kind: 'dense', name: spec.name, sources: [spec.name], inFeatures: inF, outFeatures: units, weight, bias: scaled ? null : spec.bias };
  return [
    ...inputSign(spec.name, inF, spec.inputQuantizer),
    dense,
    ...(scaled ? [channelScale(spec.name, units, magnitudeScale(spec.kernel, units), 'mul', 'magnitude_aware_sign')] : []),
    ...(scaled && spec.bias ? [channelScale(spec.name, units, spec.bias, 'add', 'bias')] : []),
  ];
}

export const denseHandler: LayerHandler = {
  className: 'Dense',
  parse: (ctx) => parseDense(ctx, false),
  toIr: (spec: LayerSpec) => denseToIr(spec as DenseSpec),
};
