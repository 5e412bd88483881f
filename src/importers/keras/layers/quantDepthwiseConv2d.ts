/**
 * larq.layers.QuantDepthwiseConv2D: input_quantizer, then padding with
 * pad_values, then a depthwise convolution with the depthwise_quantizer's
 * kernel [kh, kw, in, depth_multiplier] (+ bias): output channel
 * c * depth_multiplier + m reads input channel c only (TensorFlow's
 * depthwise_conv2d order). In the IR: a convolution with groups = channels.
 */
import { conv2dToIr, parseDepthwiseConv2d } from './conv2d.ts';
import type { Conv2dSpec, LayerHandler, LayerSpec } from './types.ts';

export const quantDepthwiseConv2dHandler: LayerHandler = {
  className: 'QuantDepthwiseConv2D',
  parse: (ctx) => parseDepthwiseConv2d(ctx),
  toIr: (spec: LayerSpec) => conv2dToIr(spec as Conv2dSpec),
};
