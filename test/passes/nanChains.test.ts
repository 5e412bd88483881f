/**
 * Issue 9, item 5: a NaN anywhere in a folded chain over the reachable range
 * fails at lowering with the layer and channel named (it used to be checked
 * at accumulator 0 only, and every sample became a "sign(0)" tie).
 */
import { describe, expect, it } from 'vitest';
import { BnncError } from '../../src/errors.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';
import { buildOnnx, type NodeSpec } from '../helpers/onnxBuilder.ts';

/** x[1,n] -> Sign -> MatMul(±1) -> chain -> Sign -> MatMul head. */
function chainModel(n: number, chain: { op: string; value: number }[], uint8 = false): Uint8Array {
  const init: Record<string, { dims: number[]; data: number[] }> = {
    w: { dims: [n, 3], data: Array.from({ length: 3 * n }, (_, i) => (i % 5 === 0 ? -1 : 1)) },
    head: { dims: [3, 2], data: [1, -1, -1, 1, 1, 1] },
  };
  const nodes: NodeSpec[] = uint8 ? [] : [{ op: 'Sign', inputs: ['input'], outputs: ['x0'] }];
  nodes.push({ op: 'MatMul', inputs: [uint8 ? 'input' : 'x0', 'w'], outputs: ['c0'] });
  chain.forEach((s, i) => {
    init[`k${i}`] = { dims: [], data: [s.value] };
    nodes.push({ op: s.op, inputs: [`c${i}`, `k${i}`], outputs: [`c${i + 1}`], name: `${s.op.toLowerCase()}${i}` });
  });
  nodes.push({ op: 'Sign', inputs: [`c${chain.length}`], outputs: ['h'] });
  nodes.push({ op: 'MatMul', inputs: ['h', 'head'], outputs: ['logits'] });
  return buildOnnx({ inputShape: [1, n], nodes, initializers: init, output: 'logits', metadata: uint8 ? { 'bnnc.input_type': 'uint8' } : {} });
}

function lowerError(bytes: Uint8Array): BnncError | null {
  try {
    runPasses(importOnnx('chain.onnx', {}, bytes));
    return null;
  } catch (e) {
    if (e instanceof BnncError) return e;
    throw e;
  }
}

describe('NaN over the reachable range', () => {
  it('Mul(1e38) -> Mul(0) before a sign: NaN for |dot| >= 4, refused naming layer and channel', () => {
    const e = lowerError(chainModel(32, [{ op: 'Mul', value: 1e38 }, { op: 'Mul', value: 0 }]));
    expect(e).not.toBeNull();
    expect(e!.message).toMatch(/channel 0 of "MatMul_\d+" evaluates to NaN for popcount \d+: step 2 of the affine chain \(mul 0\) receives -?Infinity/);
    expect(e!.message).toContain('layer "mul0+mul1" (from mul0, mul1)');
  });

  it('0 / 0 inside the range is found by bisection (Add -6 then Div 0: NaN only at dot 6)', () => {
    const e = lowerError(chainModel(32, [{ op: 'Add', value: -6 }, { op: 'Div', value: 0 }]));
    expect(e?.message).toMatch(/popcount 13: step 2 .*div 0.* receives 0/);
  });

  it('an unreachable zero is no error: Add -7 then Div 0 (dots of 32 inputs are even)', () => {
    expect(lowerError(chainModel(32, [{ op: 'Add', value: -7 }, { op: 'Div', value: 0 }]))).toBeNull();
  });

  it('integer input: NaN at the end of the accumulator range only', () => {
    // acc * 1e36 overflows float32 for |acc| >= 340, reachable with 2 uint8 inputs (510) but not with 1 (255).
    expect(lowerError(chainModel(1, [{ op: 'Mul', value: 1e36 }, { op: 'Mul', value: 0 }], true))).toBeNull();
    expect(lowerError(chainModel(2, [{ op: 'Mul', value: 1e36 }, { op: 'Mul', value: 0 }], true))?.message).toMatch(/accumulator -?510/);
  });
});
