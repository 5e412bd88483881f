/** Reshape: with a constant target shape (0 = copy, -1 = infer). Only the shape changes. */
import { intAttr, intsAttr, nodeError } from '../common.ts';
import type { NodeInfo, OpHandler } from '../op.ts';
import { numel } from '../tensor.ts';

/** `allowZero` (attribute allowzero = 1): a 0 in the target is a dimension of size 0, not a copy. */
export function resolveReshape(info: NodeInfo, inDims: number[], target: number[], allowZero = false): number[] {
  const dims = target.map((d, i) => (d === 0 && !allowZero ? inDims[i] : d));
  const known = numel(dims.filter((d) => d !== -1));
  const total = numel(inDims);
  const inferred = dims.map((d) => (d === -1 ? total / known : d));
  if (numel(inferred) !== total || inferred.some((d) => !Number.isInteger(d) || d < 0)) {
    throw nodeError(info, `cannot reshape [${inDims}] to [${target}]`, `a shape with ${total} elements`);
  }
  return inferred;
}

export const reshape: OpHandler = {
  opType: 'Reshape',
  domain: '',
  evaluate: (ctx) => {
    const [x, shape] = ctx.inputs;
    // The target shape is an input from opset 5 on, an attribute before.
    const target = shape ? [...shape.data] : intsAttr(ctx, 'shape');
    if (!target) throw nodeError(ctx, 'Reshape without a target shape', 'a shape input (or attribute)');
    return [{ ...x!, dims: resolveReshape(ctx, x!.dims, target, intAttr(ctx, 'allowzero', 0) !== 0) }];
  },
  lower: (ctx) => {
    const shape = ctx.consts[1];
    if (!shape) throw nodeError(ctx, 'the target shape is computed at run time', 'a constant shape (or one folded from a Shape subgraph)', 'export with a fixed input size');
    return { layers: [], shape: resolveReshape(ctx, ctx.shape, [...shape.data]) };
  },
};
