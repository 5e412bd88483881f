/**
 * Add, Sub, Mul, Div with one constant operand: an affine step on the running
 * activation, evaluated in float32 exactly as the source graph orders it.
 * Pow is only folded (constant chains such as QONNX's output de-scaling).
 */
import { affineStep, nodeError, perFeature, requireFinite, requireNonEmpty } from '../common.ts';
import type { EvalContext, Lowered, LowerContext, OpHandler } from '../op.ts';
import type { ConstTensor } from '../proto.ts';
import { arithmetic, broadcastIndex, broadcastShape, type ArithmeticOp } from '../tensor.ts';

type BinaryOp = 'Add' | 'Sub' | 'Mul' | 'Div';

// Integer Div truncates toward zero (arithmetic truncates integer results), as
// onnxruntime does (-7 / 2 = -3 for int32 and int64) and ONNX's reference
// implementation (onnx/reference/ops/op_div.py, "C++-style"). The conformance
// cases only divide uint8, where truncation and floor agree.

function evaluator(opType: BinaryOp): OpHandler['evaluate'] {
  return (ctx) => {
    const [a, b] = ctx.inputs;
    if (opType === 'Div' && !a!.isFloat && !b!.isFloat && b!.data.includes(0)) throw nodeError(ctx, 'integer division by zero');
    const out = arithmetic(a!, b!, opType.toLowerCase() as ArithmeticOp);
    if (!out) throw nodeError(ctx, `shapes [${a!.dims}] and [${b!.dims}] do not broadcast`);
    return [out];
  };
}

/**
 * Pow: the result has the base's type. A float base gives the float32 rounding
 * of the power; an integer base the power truncated toward zero (what numpy's
 * power followed by a cast to the base type gives), as long as it is exact.
 */
function evaluatePow(ctx: EvalContext): ConstTensor[] {
  const [a, b] = ctx.inputs as ConstTensor[];
  const dims = broadcastShape(a.dims, b.dims);
  if (!dims) throw nodeError(ctx, `shapes [${a.dims}] and [${b.dims}] do not broadcast`);
  const ia = broadcastIndex(a.dims, dims);
  const ib = broadcastIndex(b.dims, dims);
  const data = new Float64Array(ia.length);
  for (let i = 0; i < data.length; i++) {
    const v = Math.pow(a.data[ia[i]], b.data[ib[i]]);
    if (a.isFloat) data[i] = Math.fround(v);
    else if (Number.isFinite(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) data[i] = Math.trunc(v);
    else throw nodeError(ctx, `integer power ${a.data[ia[i]]} ** ${b.data[ib[i]]} = ${v} is not an exact integer`);
  }
  return [{ dims, data, isFloat: a.isFloat }];
}

function lowerBinary(opType: BinaryOp, ctx: LowerContext): Lowered {
  const constIndex = ctx.dynamicInput === 0 ? 1 : 0;
  const c = ctx.consts[constIndex]!;
  requireNonEmpty(ctx, c, 'the constant operand');
  requireFinite(ctx, c, 'the constant operand');
  const value = perFeature(ctx, c);
  const features = ctx.shape.slice(1).reduce((a, b) => a * b, 1);
  const constFirst = constIndex === 0;
  const steps = [];
  if (opType === 'Sub' && constFirst) {
    // c - x == (-x) + c exactly in float32: negation is exact.
    steps.push(affineStep('mul', Float32Array.of(-1)), affineStep('add', value));
  } else if (opType === 'Div' && constFirst) {
    throw nodeError(ctx, 'a constant divided by the activation is not an affine map', 'x / constant', 'rewrite the model to multiply by a constant');
  } else {
    steps.push(affineStep(opType.toLowerCase() as 'add' | 'sub' | 'mul' | 'div', value));
  }
  const layer = { kind: 'affine' as const, name: ctx.label, sources: [ctx.label], features, steps };
  return { layers: [layer], shape: ctx.shape };
}

function binary(opType: BinaryOp): OpHandler {
  return { opType, domain: '', requiredInputs: 2, evaluate: evaluator(opType), lower: (ctx) => lowerBinary(opType, ctx) };
}

export const add = binary('Add');
export const sub = binary('Sub');
export const mul = binary('Mul');
export const div = binary('Div');
export const pow: OpHandler = { opType: 'Pow', domain: '', requiredInputs: 2, evaluate: evaluatePow };
