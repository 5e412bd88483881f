/** Flatten(axis): [d0..d(a-1)] x [da..]: only the shape changes (row-major order is kept). */
import { intAttr } from '../common.ts';
import type { OpHandler } from '../op.ts';
import { numel } from '../tensor.ts';

function flattened(dims: number[], axisAttr: number): number[] {
  const axis = axisAttr < 0 ? axisAttr + dims.length : axisAttr;
  return [numel(dims.slice(0, axis)), numel(dims.slice(axis))];
}

export const flatten: OpHandler = {
  opType: 'Flatten',
  domain: '',
  evaluate: (ctx) => [{ ...ctx.inputs[0]!, dims: flattened(ctx.inputs[0]!.dims, intAttr(ctx, 'axis', 1)) }],
  lower: (ctx) => ({ layers: [], shape: flattened(ctx.shape, intAttr(ctx, 'axis', 1)) }),
};
