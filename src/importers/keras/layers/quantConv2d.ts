/**
 * larq.layers.QuantConv2D: input_quantizer, then padding (Larq's pad_values
 * applies after the quantizer: QuantizerBaseConv pads the quantized input),
 * then the convolution with the quantized kernel (+ bias).
 */
import { conv2dToIr, parseConv2d } from './conv2d.ts';
import type { Conv2dSpec, LayerHandler, LayerSpec } from './types.ts';

export const quantConv2dHandler: LayerHandler = {
  className: 'QuantConv2D',
  parse: (ctx) => parseConv2d(ctx, true),
  toIr: (spec: LayerSpec) => conv2dToIr(spec as Conv2dSpec),
};
