/** Identity and Dropout (inference): no effect. */
import type { OpHandler } from '../op.ts';

function passThrough(opType: string): OpHandler {
  return {
    opType,
    domain: '',
    evaluate: (ctx) => [ctx.inputs[0]!],
    lower: (ctx) => ({ layers: [], shape: ctx.shape }),
  };
}

export const identity = passThrough('Identity');
export const dropout = passThrough('Dropout');
