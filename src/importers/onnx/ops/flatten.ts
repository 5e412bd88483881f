/** Flatten(axis): [d0..d(a-1)] x [da..]: only the shape changes (row-major order is kept). */
import { intAttr, nodeError } from '../common.ts';
import type { NodeInfo, OpHandler } from '../op.ts';
import { numel } from '../tensor.ts';

/** axis may be -rank..rank (rank itself flattens everything into the first axis). */
function flattened(info: NodeInfo, dims: number[], axisAttr: number): number[] {
  const axis = axisAttr < 0 ? axisAttr + dims.length : axisAttr;
  if (axis < 0 || axis > dims.length) throw nodeError(info, `axis ${axisAttr} is out of range for shape [${dims}]`, `an axis in ${-dims.length}..${dims.length}`);
  return [numel(dims.slice(0, axis)), numel(dims.slice(axis))];
}

export const flatten: OpHandler = {
  opType: 'Flatten',
  domain: '',
  evaluate: (ctx) => [{ ...ctx.inputs[0]!, dims: flattened(ctx, ctx.inputs[0]!.dims, intAttr(ctx, 'axis', 1)) }],
  lower: (ctx) => ({ layers: [], shape: flattened(ctx, ctx.shape, intAttr(ctx, 'axis', 1)) }),
};
