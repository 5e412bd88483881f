/** keras.layers.Activation: linear anywhere, softmax as the last layer (monotone: the argmax is unchanged). */
import { fusedActivation, inShape } from './common.ts';
import type { ActivationSpec, LayerHandler } from './types.ts';

export const activationHandler: LayerHandler = {
  className: 'Activation',
  parse(ctx): ActivationSpec {
    const s = inShape(ctx);
    return { kind: 'activation', name: ctx.layer.name, className: ctx.layer.className, inShape: s, outShape: s, activation: fusedActivation(ctx) };
  },
  toIr: () => [],
};
