/**
 * MatMul: running activation [1, in] times a constant [in, out] -> dense layer.
 * Evaluated with numpy semantics (batched, broadcasting, 1-D operands).
 */
import { nodeError, requireFinite, requireNonEmpty } from '../common.ts';
import type { LowerContext, OpHandler } from '../op.ts';
import { matmul as matmulTensor } from '../tensor.ts';
import type { ConstTensor } from '../proto.ts';
import type { DenseLayer } from '../../../ir/types.ts';

/** Builds a dense layer from a weight matrix laid out [in][out] (ONNX MatMul's B). */
export function denseFromInOut(ctx: LowerContext, w: ConstTensor, bias: Float32Array | null): DenseLayer {
  const [inF, outF] = w.dims;
  const weight = new Float32Array(inF * outF);
  // Rows follow the activation's ONNX order; bnnc's order may differ after a convolution (NHWC).
  for (let i = 0; i < inF; i++) {
    const p = ctx.layout ? ctx.layout[i] : i;
    for (let o = 0; o < outF; o++) weight[o * inF + p] = w.data[i * outF + o];
  }
  return { kind: 'dense', name: ctx.label, sources: [ctx.label], inFeatures: inF, outFeatures: outF, weight, bias };
}

export function requireMatrixInput(ctx: LowerContext, inFeatures: number): void {
  if (ctx.shape.length !== 2 || ctx.shape[1] !== inFeatures) {
    throw nodeError(ctx, `the activation has shape [${ctx.shape}] but the weights expect [1, ${inFeatures}]`,
      `an activation of shape [1, ${inFeatures}]`, 'add a Flatten before the layer, or check the layer sizes');
  }
}

export const matmul: OpHandler = {
  opType: 'MatMul',
  domain: '',
  requiredInputs: 2,
  evaluate: (ctx) => {
    const out = matmulTensor(ctx.inputs[0]!, ctx.inputs[1]!);
    if (!out) throw nodeError(ctx, `cannot multiply [${ctx.inputs[0]!.dims}] by [${ctx.inputs[1]!.dims}]`);
    return [out];
  },
  lower: (ctx) => {
    if (ctx.dynamicInput !== 0) throw nodeError(ctx, 'the activation is the right operand', 'activation @ constant weights');
    const w = ctx.consts[1]!;
    if (w.dims.length !== 2) throw nodeError(ctx, `weights have shape [${w.dims}]`, 'a 2-D weight matrix [in, out]');
    requireNonEmpty(ctx, w, 'the weights');
    requireFinite(ctx, w, 'the weight matrix');
    requireMatrixInput(ctx, w.dims[0]);
    return { layers: [denseFromInOut(ctx, w, null)], shape: [ctx.shape[0], w.dims[1]], layout: null };
  },
};
