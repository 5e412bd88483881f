/** ONNX Sign: -1, 0, +1. On the activation it binarizes (sign(0) = 0 is recorded for tie counting). */
import { featuresOf, requireFinite } from '../common.ts';
import type { OpHandler } from '../op.ts';
import { unary } from '../tensor.ts';

export const sign: OpHandler = {
  opType: 'Sign',
  domain: '',
  evaluate: (ctx) => {
    // Sign(NaN) is NaN in ONNX; binarised weights must not hide a broken model.
    requireFinite(ctx, ctx.inputs[0]!, 'the input');
    return [unary(ctx.inputs[0]!, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0))];
  },
  lower: (ctx) => ({
    layers: [{ kind: 'sign', name: ctx.label, sources: [ctx.label], features: featuresOf(ctx.shape), atZero: 'zero' }],
    shape: ctx.shape,
  }),
};
