/**
 * Identity and Dropout (inference): no effect. Dropout's optional mask output is
 * all true then; in training mode with ratio 0 it is the identity as well.
 */
import { floatAttr, nodeError } from '../common.ts';
import type { OpHandler } from '../op.ts';

export const identity: OpHandler = {
  opType: 'Identity',
  domain: '',
  evaluate: (ctx) => [ctx.inputs[0]!],
  lower: (ctx) => ({ layers: [], shape: ctx.shape }),
};

export const dropout: OpHandler = {
  opType: 'Dropout',
  domain: '',
  evaluate: (ctx) => {
    const [x, ratioInput, trainingInput] = ctx.inputs;
    // ratio and training_mode are inputs from opset 12 on; ratio was an attribute before.
    const ratio = ratioInput ? ratioInput.data[0] : floatAttr(ctx, 'ratio', 0.5);
    if (trainingInput && trainingInput.data[0] !== 0 && ratio !== 0) {
      throw nodeError(ctx, `training_mode = 1 with ratio = ${ratio} (drops random elements)`, 'training_mode = 0 (inference) or ratio = 0');
    }
    const mask = { dims: [...x!.dims], data: new Float64Array(x!.data.length).fill(1), isFloat: false };
    return [x!, mask];
  },
  lower: (ctx) => ({ layers: [], shape: ctx.shape }),
};
