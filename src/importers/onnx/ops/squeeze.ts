/** Squeeze / Unsqueeze: axes from the attribute (opset < 13) or the second input. */
import { intsAttr, nodeError } from '../common.ts';
import type { NodeInfo, OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';

function axesOf(info: NodeInfo, axesInput: ConstTensor | null | undefined): number[] | null {
  if (axesInput) return [...axesInput.data];
  return intsAttr(info, 'axes');
}

export function squeezeDims(info: NodeInfo, dims: number[], axes: number[] | null): number[] {
  if (axes === null) return dims.filter((d) => d !== 1);
  const norm = axes.map((a) => (a < 0 ? a + dims.length : a));
  const bad = norm.findIndex((a) => !Number.isInteger(a) || a < 0 || a >= dims.length);
  if (bad >= 0) throw nodeError(info, `axis ${axes[bad]} is out of range for shape [${dims}]`, `axes in ${-dims.length}..${dims.length - 1}`);
  for (const a of norm) {
    if (dims[a] !== 1) throw nodeError(info, `cannot squeeze axis ${a} of size ${dims[a]}`, 'axes of size 1');
  }
  return dims.filter((_, i) => !norm.includes(i));
}

export function unsqueezeDims(info: NodeInfo, dims: number[], axes: number[] | null): number[] {
  if (axes === null) throw nodeError(info, 'Unsqueeze without axes', 'an axes attribute or input');
  const rank = dims.length + axes.length;
  const norm = axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  if (norm.some((a, i) => !Number.isInteger(a) || a < 0 || a >= rank || a === norm[i - 1])) {
    throw nodeError(info, `axes [${axes}] for a result of rank ${rank}`, `distinct axes in ${-rank}..${rank - 1}`);
  }
  const out = [...dims];
  for (const a of norm) out.splice(a, 0, 1);
  return out;
}

export const squeeze: OpHandler = {
  opType: 'Squeeze',
  domain: '',
  evaluate: (ctx) => [{ ...ctx.inputs[0]!, dims: squeezeDims(ctx, ctx.inputs[0]!.dims, axesOf(ctx, ctx.inputs[1])) }],
  lower: (ctx) => ({ layers: [], shape: squeezeDims(ctx, ctx.shape, axesOf(ctx, ctx.consts[1])) }),
};

export const unsqueeze: OpHandler = {
  opType: 'Unsqueeze',
  domain: '',
  evaluate: (ctx) => [{ ...ctx.inputs[0]!, dims: unsqueezeDims(ctx, ctx.inputs[0]!.dims, axesOf(ctx, ctx.inputs[1])) }],
  lower: (ctx) => ({ layers: [], shape: unsqueezeDims(ctx, ctx.shape, axesOf(ctx, ctx.consts[1])) }),
};
