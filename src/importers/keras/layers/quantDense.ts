/** larq.layers.QuantDense: [input_quantizer] -> x @ quantized(kernel) (+ bias). Kernel layout (in, out). */
import { denseToIr, parseDense } from './dense.ts';
import type { DenseSpec, LayerHandler, LayerSpec } from './types.ts';

export const quantDenseHandler: LayerHandler = {
  className: 'QuantDense',
  parse: (ctx) => parseDense(ctx, true),
  toIr: (spec: LayerSpec) => denseToIr(spec as DenseSpec),
};
