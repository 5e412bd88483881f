/**
 * larq.layers.QuantDepthwiseConv2D: refused for now. It is a grouped
 * convolution (groups = channels), which bnnc's IR does not have yet; it comes
 * with the grouped/dilated convolution of the model-breadth work.
 */
import { fail } from './common.ts';
import type { LayerHandler } from './types.ts';

export const quantDepthwiseConv2dHandler: LayerHandler = {
  className: 'QuantDepthwiseConv2D',
  parse: (ctx) => fail(ctx, 'depthwise convolution is not supported yet',
    'QuantConv2D with groups = 1 (bnnc\'s IR has no grouped convolution yet)',
    'replace the depthwise layer by a QuantConv2D, or keep the model on Larq Compute Engine'),
  toIr: () => { throw new Error('bnnc internal error: QuantDepthwiseConv2D is refused at parse time'); },
};
