/** Transpose: folded on constants (weights); on the activation only when it keeps the element order. */
import { intsAttr, nodeError } from '../common.ts';
import type { OpHandler } from '../op.ts';
import type { NodeInfo } from '../op.ts';
import { isPermutation, transpose as transposeTensor } from '../tensor.ts';

function checkedPerm(info: NodeInfo, rank: number): number[] | undefined {
  const perm = intsAttr(info, 'perm') ?? undefined;
  if (perm && !isPermutation(perm, rank)) throw nodeError(info, `perm [${perm}]`, `a permutation of 0..${rank - 1}`);
  return perm;
}

export const transpose: OpHandler = {
  opType: 'Transpose',
  domain: '',
  evaluate: (ctx) => [transposeTensor(ctx.inputs[0]!, checkedPerm(ctx, ctx.inputs[0]!.dims.length))],
  lower: (ctx) => {
    const perm = checkedPerm(ctx, ctx.shape.length) ?? ctx.shape.map((_, i) => ctx.shape.length - 1 - i);
    const moved = perm.filter((p) => ctx.shape[p] !== 1);
    if (moved.some((p, i) => i > 0 && p < moved[i - 1])) {
      throw nodeError(ctx, `transposing the activation [${ctx.shape}] with perm [${perm}] reorders its elements`,
        'a transpose that only moves axes of size 1');
    }
    return { layers: [], shape: perm.map((p) => ctx.shape[p]) };
  },
};
