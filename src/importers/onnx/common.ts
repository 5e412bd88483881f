/** Helpers shared by the op handlers: errors that name the node, and per-feature constants. */
import { BnncError } from '../../errors.ts';
import type { AffineStep } from '../../ir/types.ts';
import type { LowerContext, NodeInfo } from './op.ts';
import type { ConstTensor } from './proto.ts';
import { broadcastIndex, broadcastShape, numel } from './tensor.ts';

export function nodeError(info: NodeInfo, message: string, expected?: string, hint?: string): BnncError {
  return new BnncError(message, {
    file: info.file,
    where: `node "${info.label}" (${info.node.opType})`,
    expected,
    hint,
  });
}

/** Number of features of the running activation (everything after the batch axis). */
export function featuresOf(shape: number[]): number {
  return numel(shape.slice(1));
}

/**
 * Expands a constant that broadcasts against the running activation into one
 * float32 value per feature (or a single value when all are equal).
 * Broadcasting must not grow the activation: that would not be elementwise.
 */
export function perFeature(ctx: LowerContext, c: ConstTensor): Float32Array {
  const out = broadcastShape(ctx.shape, c.dims);
  if (!out || out.length !== ctx.shape.length || out.some((d, i) => d !== ctx.shape[i])) {
    throw nodeError(ctx, `constant of shape [${c.dims}] does not broadcast onto the activation of shape [${ctx.shape}]`,
      'a scalar or a per-feature constant');
  }
  const index = broadcastIndex(c.dims, ctx.shape);
  const features = featuresOf(ctx.shape);
  const values = new Float32Array(features);
  for (let f = 0; f < features; f++) values[ctx.layout ? ctx.layout[f] : f] = c.data[index[f]];
  return values.every((v) => v === values[0]) ? values.subarray(0, 1) : values;
}

/**
 * The NCHW -> NHWC mapping of an activation of C channels and H x W pixels
 * (ONNX flat index -> bnnc flat index), or null when the two orders agree.
 */
export function nchwToNhwc(c: number, h: number, w: number): Int32Array | null {
  if (c === 1 || h * w === 1) return null;
  const map = new Int32Array(c * h * w);
  for (let ch = 0; ch < c; ch++) {
    for (let p = 0; p < h * w; p++) map[ch * h * w + p] = p * c + ch;
  }
  return map;
}

/** Checks constants for NaN/Inf, which would make every folded threshold meaningless. */
export function requireFinite(ctx: NodeInfo, c: ConstTensor, what: string): void {
  const bad = c.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw nodeError(ctx, `${what} holds ${c.data[bad]} at flat index ${bad}`, 'finite numbers',
      'the trained model is broken (NaN/Inf weights); retrain or re-export it');
  }
}

/** Weights, scales and thresholds with no elements would compile to nothing (or NaN): refuse them. */
export function requireNonEmpty(ctx: NodeInfo, c: ConstTensor, what: string): void {
  if (c.data.length === 0) throw nodeError(ctx, `${what}: shape [${c.dims}] has no elements`, 'a non-empty tensor');
}

export function affineStep(op: AffineStep['op'], value: Float32Array): AffineStep {
  return { op, value };
}

/**
 * Per-channel constant (ONNX axis 1) as affine step values: one value per
 * channel when channels are innermost in bnnc's layout (feature f uses value
 * f % C), else one per feature; a single value when all are equal.
 */
export function perChannelToFeatures(ctx: LowerContext, values: Float32Array): Float32Array {
  if (values.every((v) => v === values[0])) return values.subarray(0, 1);
  const channels = ctx.shape[1] ?? 1;
  const spatial = numel(ctx.shape.slice(2));
  if (spatial === 1 || ctx.layout) return Float32Array.from(values.subarray(0, channels));
  const out = new Float32Array(channels * spatial);
  for (let c = 0; c < channels; c++) out.fill(values[c], c * spatial, (c + 1) * spatial);
  return out;
}

/** An attribute of the wrong kind (a string where a number belongs, ...) is an error, not a silent default. */
function wrongAttr(ctx: NodeInfo, name: string, value: unknown, expected: string): BnncError {
  const shown = typeof value === 'object' && !Array.isArray(value) ? 'a tensor' : JSON.stringify(value);
  return nodeError(ctx, `attribute ${name} is ${shown}`, expected);
}

export function intAttr(ctx: NodeInfo, name: string, fallback: number): number {
  const v = ctx.attrs.get(name);
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw wrongAttr(ctx, name, v, 'an integer');
  return v;
}

export function floatAttr(ctx: NodeInfo, name: string, fallback: number): number {
  const v = ctx.attrs.get(name);
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || Number.isNaN(v)) throw wrongAttr(ctx, name, v, 'a number');
  return v;
}

export function intsAttr(ctx: NodeInfo, name: string): number[] | null {
  const v = ctx.attrs.get(name);
  if (v === undefined) return null;
  if (!Array.isArray(v) || v.some((x) => !Number.isSafeInteger(x))) throw wrongAttr(ctx, name, v, 'a list of integers');
  return v;
}
