/**
 * Slice and ConstantOfShape, on constants only: PyTorch (1.13, opset >= 11)
 * exports `F.pad` with its pads computed by a small subgraph
 * (ConstantOfShape -> Concat -> Reshape -> Slice with step -1 -> Transpose ->
 * Reshape -> Cast) that the importer folds into the Pad's constant pads.
 */
import { intsAttr, nodeError } from '../common.ts';
import type { EvalContext, OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';
import { requireFoldWork } from '../../limits.ts';
import { gather } from '../tensor.ts';

/** ONNX's clamping of a start or end index on an axis of `size` elements (negative counts from the end). */
function clampIndex(v: number, size: number, step: number, isEnd: boolean): number {
  const index = v < 0 ? v + size : v;
  if (step > 0) return Math.min(Math.max(index, 0), size);
  return Math.min(Math.max(index, isEnd ? -1 : 0), size - 1);
}

function sliceArguments(ctx: EvalContext, rank: number) {
  const fromInput = (i: number) => (ctx.inputs[i] ? Array.from(ctx.inputs[i]!.data) : null);
  const starts = fromInput(1) ?? intsAttr(ctx, 'starts');
  const ends = fromInput(2) ?? intsAttr(ctx, 'ends');
  if (!starts || !ends || starts.length !== ends.length) throw nodeError(ctx, 'starts and ends are missing or differ in length', 'constant starts and ends of one length');
  const axes = (fromInput(3) ?? intsAttr(ctx, 'axes') ?? starts.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const steps = fromInput(4) ?? starts.map(() => 1);
  if (axes.length !== starts.length || steps.length !== starts.length || axes.some((a) => a < 0 || a >= rank) || new Set(axes).size !== axes.length) {
    throw nodeError(ctx, `axes [${axes}] and steps [${steps}] for ${starts.length} slices of a rank-${rank} tensor`, 'distinct axes in range, one step per slice');
  }
  if (steps.some((s) => s === 0 || !Number.isSafeInteger(s))) throw nodeError(ctx, `steps [${steps}]`, 'non-zero whole steps');
  return { starts, ends, axes, steps };
}

function evaluateSlice(ctx: EvalContext): ConstTensor[] {
  const x = ctx.inputs[0]!;
  const rank = x.dims.length;
  const { starts, ends, axes, steps } = sliceArguments(ctx, rank);
  const first = x.dims.map(() => 0);
  const step = x.dims.map(() => 1);
  const outDims = x.dims.slice();
  axes.forEach((a, i) => {
    const size = x.dims[a];
    const s = clampIndex(starts[i], size, steps[i], false);
    const e = clampIndex(ends[i], size, steps[i], true);
    first[a] = s;
    step[a] = steps[i];
    outDims[a] = Math.max(0, Math.ceil((e - s) / steps[i]));
  });
  const sourceOf = (index: readonly number[]) => index.reduce((source, i, a) => source * x.dims[a] + first[a] + i * step[a], 0);
  return [gather(x, outDims, sourceOf)];
}

function evaluateConstantOfShape(ctx: EvalContext): ConstTensor[] {
  const shape = Array.from(ctx.inputs[0]!.data);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw nodeError(ctx, `shape [${shape}]`, 'non-negative whole dimensions');
  const total = shape.reduce((p, d) => p * d, 1);
  requireFoldWork(total);
  const value = ctx.attrs.get('value');
  const tensor = value && typeof value === 'object' && !Array.isArray(value) ? value : null;
  if (value !== undefined && (!tensor || tensor.data.length !== 1)) throw nodeError(ctx, 'value is not a one-element tensor', 'a one-element value tensor (or none: float 0)');
  return [{ dims: shape, data: new Float64Array(total).fill(tensor ? tensor.data[0] : 0), isFloat: tensor ? tensor.isFloat : true }];
}

export const slice: OpHandler = { opType: 'Slice', domain: '', evaluate: evaluateSlice };
export const constantOfShape: OpHandler = { opType: 'ConstantOfShape', domain: '', evaluate: evaluateConstantOfShape };
