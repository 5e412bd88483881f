/**
 * QONNX BipolarQuant(x, scale) = (x >= 0 ? +1 : -1) * scale
 * (qonnx/custom_op/general/bipolar_quant.py binary_quant; the product is exact).
 * sign(0) = +1 here, unlike ONNX Sign. On weights it is folded; on the
 * activation it becomes divide-by-scale then sign (scale must be 1 there, so the
 * next layer sees exactly +/-1).
 */
import { featuresOf, nodeError, requireFinite, requireNonEmpty } from '../common.ts';
import type { OpHandler } from '../op.ts';
import { elementwise } from '../tensor.ts';

function handler(domain: string): OpHandler {
  return {
    opType: 'BipolarQuant',
    domain,
    requiredInputs: 2,
    evaluate: (ctx) => {
      const [x, scale] = ctx.inputs;
      // NaN/Inf weights would be silently binarised (NaN >= 0 is false: -1); a zero scale divides by zero.
      requireFinite(ctx, x!, 'the quantized tensor');
      requireNonEmpty(ctx, scale!, 'the scale');
      requireFinite(ctx, scale!, 'the scale');
      if (scale!.data.some((s) => s === 0)) throw nodeError(ctx, 'the scale holds 0', 'a non-zero scale');
      const out = elementwise(x!, scale!, (v, s) => (v >= 0 ? s : -s));
      if (!out) throw nodeError(ctx, `scale of shape [${scale!.dims}] does not broadcast onto [${x!.dims}]`);
      return [out];
    },
    lower: (ctx) => {
      const scale = ctx.consts[1];
      if (!scale || scale.data.length === 0 || scale.data.some((s) => s !== 1)) {
        throw nodeError(ctx, 'activation quantizer with a scale other than 1', 'scale = 1 on activations',
          'scaled bipolar activations are not supported yet; fold the scale into the next layer before export');
      }
      return {
        layers: [{ kind: 'sign', name: ctx.label, sources: [ctx.label], features: featuresOf(ctx.shape), atZero: 'plus' }],
        shape: ctx.shape,
      };
    },
  };
}

export const bipolarQuantBrevitas = handler('onnx.brevitas');
export const bipolarQuantQonnx = handler('qonnx.custom_op.general');
