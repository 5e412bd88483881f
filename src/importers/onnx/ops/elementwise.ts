/**
 * Add, Sub, Mul, Div with one constant operand: an affine step on the running
 * activation, evaluated in float32 exactly as the source graph orders it.
 * Pow is only folded (constant chains such as QONNX's output de-scaling).
 */
import { affineStep, nodeError, perFeature, requireFinite } from '../common.ts';
import type { Lowered, LowerContext, OpHandler } from '../op.ts';
import { elementwise } from '../tensor.ts';

type BinaryOp = 'Add' | 'Sub' | 'Mul' | 'Div';

const FN: Record<BinaryOp | 'Pow', (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Pow: (a, b) => Math.pow(a, b),
};

function evaluator(opType: BinaryOp | 'Pow'): OpHandler['evaluate'] {
  return (ctx) => {
    const [a, b] = ctx.inputs;
    const out = elementwise(a!, b!, FN[opType]);
    if (!out) throw nodeError(ctx, `shapes [${a!.dims}] and [${b!.dims}] do not broadcast`);
    if (!a!.isFloat && !b!.isFloat && opType === 'Div') out.data.forEach((v, i) => (out.data[i] = Math.trunc(v)));
    return [out];
  };
}

function lowerBinary(opType: BinaryOp, ctx: LowerContext): Lowered {
  const constIndex = ctx.dynamicInput === 0 ? 1 : 0;
  const c = ctx.consts[constIndex]!;
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
  return { opType, domain: '', evaluate: evaluator(opType), lower: (ctx) => lowerBinary(opType, ctx) };
}

export const add = binary('Add');
export const sub = binary('Sub');
export const mul = binary('Mul');
export const div = binary('Div');
export const pow: OpHandler = { opType: 'Pow', domain: '', evaluate: evaluator('Pow') };
