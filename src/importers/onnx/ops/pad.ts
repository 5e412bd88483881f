/**
 * Pad. On constants: the modes constant, edge and reflect (ONNX's float
 * semantics). On the activation: only a constant-zero pad of the spatial axes,
 * which bnnc folds into the convolution that follows (a zero in front of a
 * binary convolution is the float-zero padding of PyTorch's Conv: the tap
 * contributes 0). A Pad of zero width (PyTorch's export of avg_pool1d puts one
 * in front) is dropped. Anything else, and a padding Pad followed by anything
 * but a Conv, is refused naming the node.
 */
import { nodeError } from '../common.ts';
import type { EvalContext, LowerContext, NodeInfo, OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';
import { gather } from '../tensor.ts';

type Mode = 'constant' | 'edge' | 'reflect';

interface PadSpec {
  mode: Mode;
  /** begin of every axis, then end of every axis (ONNX's order) */
  pads: number[];
  value: number;
}

function modeOf(info: NodeInfo): Mode {
  const mode = info.attrs.get('mode') ?? 'constant';
  if (mode === 'constant' || mode === 'edge' || mode === 'reflect') return mode;
  throw nodeError(info, `mode = ${JSON.stringify(mode)}`, 'constant, edge or reflect');
}

/** pads and the constant value from the inputs (opset >= 11) or the attributes (opset < 11), for a tensor of `rank` axes. */
function padSpec(info: NodeInfo, rank: number, inputs: readonly (ConstTensor | null)[], hasInput: (i: number) => boolean): PadSpec {
  const fromAttr = info.attrs.get('pads');
  const padsTensor = inputs[1] ?? null;
  if (fromAttr === undefined && hasInput(1) && padsTensor === null) throw nodeError(info, 'the pads are not a constant', 'constant pads');
  let pads: number[] = Array.isArray(fromAttr) ? fromAttr : padsTensor ? Array.from(padsTensor.data) : [];
  if (hasInput(3)) {
    const axesTensor = inputs[3];
    if (!axesTensor) throw nodeError(info, 'the axes are not a constant', 'constant axes');
    const axes = Array.from(axesTensor.data, (a) => (a < 0 ? a + rank : a));
    if (pads.length !== 2 * axes.length || axes.some((a) => !Number.isSafeInteger(a) || a < 0 || a >= rank)) {
      throw nodeError(info, `pads [${pads}] for axes [${Array.from(axesTensor.data)}]`, `two pads per axis, axes in -${rank}..${rank - 1}`);
    }
    const full = new Array(2 * rank).fill(0);
    axes.forEach((a, i) => { full[a] = pads[i]; full[a + rank] = pads[i + axes.length]; });
    pads = full;
  }
  if (pads.length !== 2 * rank || pads.some((p) => !Number.isSafeInteger(p))) {
    throw nodeError(info, `pads [${pads}] for a tensor of rank ${rank}`, `${2 * rank} whole numbers`);
  }
  const valueTensor = inputs[2] ?? null;
  if (hasInput(2) && valueTensor === null) throw nodeError(info, 'the constant value is not a constant', 'a constant pad value');
  const attrValue = info.attrs.get('value');
  const value = valueTensor ? valueTensor.data[0] ?? 0 : typeof attrValue === 'number' ? attrValue : 0;
  return { mode: modeOf(info), pads, value };
}

/** The source index along one axis of output index i, or -1 for a constant pad. */
function sourceIndex(i: number, begin: number, size: number, mode: Mode): number {
  const j = i - begin;
  if (j >= 0 && j < size) return j;
  if (mode === 'constant') return -1;
  if (mode === 'edge') return j < 0 ? 0 : size - 1;
  if (size === 1) return 0;
  const period = 2 * (size - 1);
  const m = ((j % period) + period) % period;
  return m < size ? m : period - m;
}

function evaluatePad(ctx: EvalContext): ConstTensor[] {
  const x = ctx.inputs[0]!;
  const rank = x.dims.length;
  const names = ctx.node.input ?? [];
  const spec = padSpec(ctx, rank, ctx.inputs, (i) => Boolean(names[i]));
  const outDims = x.dims.map((d, a) => d + spec.pads[a] + spec.pads[a + rank]);
  if (outDims.some((d) => d < 0)) throw nodeError(ctx, `pads [${spec.pads}] crop the [${x.dims}] input below 0`, 'an output of non-negative size');
  if (spec.mode !== 'constant' && x.dims.some((d, a) => d === 0 && outDims[a] > 0)) throw nodeError(ctx, `mode ${spec.mode} on an empty axis`, 'a non-empty input');
  const sourceOf = (index: readonly number[]) => {
    let source = 0;
    for (let a = 0; a < rank; a++) {
      const s = sourceIndex(index[a], spec.pads[a], x.dims[a], spec.mode);
      if (s < 0) return -1;
      source = source * x.dims[a] + s;
    }
    return source;
  };
  return [gather(x, outDims, sourceOf, spec.value)];
}

/** The spatial pads [top, left, bottom, right] of a constant-zero Pad on [1, C, L] or [1, C, H, W]; refuses anything else. */
export function foldablePads(ctx: LowerContext): [number, number, number, number] {
  const rank = ctx.shape.length;
  const names = ctx.node.input ?? [];
  const spec = padSpec(ctx, rank, ctx.consts, (i) => Boolean(names[i]));
  const hint = 'bnnc folds only a constant-zero Pad of the spatial axes into the Conv after it; use the Conv\'s own pads';
  if (rank !== 3 && rank !== 4) throw nodeError(ctx, `Pad of an activation of shape [${ctx.shape}]`, 'a [1, C, L] or [1, C, H, W] activation', hint);
  if (spec.mode !== 'constant') throw nodeError(ctx, `mode ${spec.mode}`, 'mode constant with value 0', hint);
  if (spec.value !== 0) throw nodeError(ctx, `pad value ${spec.value}`, 'pad value 0 (float zero: the padded taps contribute 0)', hint);
  const { pads } = spec;
  if (pads[0] !== 0 || pads[1] !== 0 || pads[rank] !== 0 || pads[rank + 1] !== 0) {
    throw nodeError(ctx, `pads [${pads}] pad the batch or channel axis`, 'pads on the spatial axes only', hint);
  }
  if (pads.some((p) => p < 0)) throw nodeError(ctx, `pads [${pads}] crop the activation`, 'non-negative pads', hint);
  return rank === 3 ? [0, pads[2], 0, pads[5]] : [pads[2], pads[3], pads[6], pads[7]];
}

function lowerPad(ctx: LowerContext) {
  const pads = foldablePads(ctx);
  // PyTorch exports avg_pool1d with a Pad of zero width in front: nothing to fold.
  if (pads.every((p) => p === 0)) return { layers: [], shape: ctx.shape };
  const shape = ctx.shape.slice();
  const rank = shape.length;
  if (rank === 3) shape[2] += pads[1] + pads[3];
  else { shape[2] += pads[0] + pads[2]; shape[3] += pads[1] + pads[3]; }
  return { layers: [], shape, pendingPad: { label: ctx.label, pads, shape: ctx.shape } };
}

export const pad: OpHandler = { opType: 'Pad', domain: '', evaluate: (ctx) => evaluatePad(ctx), lower: lowerPad };
