/** Gemm: Y = alpha * A' B' + beta * C with A the running activation [1, in]. */
import { floatAttr, intAttr, nodeError, requireFinite, requireNonEmpty } from '../common.ts';
import type { OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';
import { elementwise, matmul, matmulTransposedB, transpose } from '../tensor.ts';
import { denseFromInOut, requireMatrixInput } from './matmul.ts';

export const gemm: OpHandler = {
  opType: 'Gemm',
  domain: '',
  requiredInputs: 2,
  evaluate: (ctx) => {
    let [a] = ctx.inputs as (ConstTensor | null)[];
    const [, b, c] = ctx.inputs as (ConstTensor | null)[];
    if (intAttr(ctx, 'transA', 0)) a = transpose(a!);
    const transB = intAttr(ctx, 'transB', 0) !== 0;
    const alpha = floatAttr(ctx, 'alpha', 1);
    const beta = floatAttr(ctx, 'beta', 1);
    // transB: B's rows are the outputs' weight rows, read in place (no transposed copy per evaluation).
    let y = a!.dims.length === 2 && b!.dims.length === 2 ? (transB ? matmulTransposedB(a!, b!) : matmul(a!, b!)) : null;
    if (!y) throw nodeError(ctx, `cannot multiply [${a!.dims}] by [${transB ? [...b!.dims].reverse() : b!.dims}]`);
    if (alpha !== 1) y = { ...y, data: y.data.map((v) => Math.fround(v * alpha)) };
    if (c) {
      const scaled = { ...c, data: c.data.map((v) => Math.fround(v * beta)) };
      y = elementwise(y, scaled, (p, q) => p + q)!;
    }
    return [y];
  },
  lower: (ctx) => {
    if (ctx.dynamicInput !== 0 || intAttr(ctx, 'transA', 0)) {
      throw nodeError(ctx, 'the activation must be the untransposed first operand', 'Gemm(activation, W) with transA = 0');
    }
    let w = ctx.consts[1]!;
    if (w.dims.length !== 2) throw nodeError(ctx, `weights have shape [${w.dims}]`, 'a 2-D weight matrix');
    requireNonEmpty(ctx, w, 'the weights');
    requireFinite(ctx, w, 'the weight matrix');
    if (intAttr(ctx, 'transB', 0)) w = transpose(w);
    requireMatrixInput(ctx, w.dims[0]);
    const alpha = floatAttr(ctx, 'alpha', 1);
    const beta = floatAttr(ctx, 'beta', 1);
    if (alpha !== 1) throw nodeError(ctx, `alpha = ${alpha}`, 'alpha = 1', 'export the layer as MatMul followed by Mul');
    let bias: Float32Array | null = null;
    const c = ctx.consts[2];
    if (c) {
      requireFinite(ctx, c, 'the bias');
      const outF = w.dims[1];
      if (c.data.length !== 1 && c.data.length !== outF) throw nodeError(ctx, `bias has shape [${c.dims}]`, `a bias of ${outF} values`);
      bias = new Float32Array(outF);
      for (let o = 0; o < outF; o++) bias[o] = Math.fround(beta * c.data[c.data.length === 1 ? 0 : o]);
    }
    return { layers: [denseFromInOut(ctx, w, bias)], shape: [ctx.shape[0], w.dims[1]], layout: null };
  },
};
