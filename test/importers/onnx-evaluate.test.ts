/** The float semantics (`evaluate`) of the ONNX op handlers, beyond what the conformance cases cover. */
import { describe, expect, it } from 'vitest';
import { BnncError } from '../../src/errors.ts';
import { findHandler } from '../../src/importers/onnx/ops/index.ts';
import type { AttributeValue, ConstTensor } from '../../src/importers/onnx/proto.ts';
import { matmul } from '../../src/importers/onnx/tensor.ts';

const f = (dims: number[], values: number[]): ConstTensor => ({ dims, data: Float64Array.from(values), isFloat: true });
const i = (dims: number[], values: number[]): ConstTensor => ({ dims, data: Float64Array.from(values), isFloat: false });

function evaluate(opType: string, inputs: (ConstTensor | null)[], attrs: Record<string, AttributeValue> = {}): ConstTensor[] {
  const handler = findHandler('', opType)!;
  return handler.evaluate!({ file: 'test.onnx', node: { opType }, label: opType, attrs: new Map(Object.entries(attrs)), inputs });
}

const plain = (t: ConstTensor) => ({ dims: t.dims, values: [...t.data], isFloat: t.isFloat });

describe('ArgMax', () => {
  const x = f([2, 3], [1, 5, 5, 7, 2, 7]);

  it('reduces any axis, negative axes counted from the end, ties to the first index', () => {
    expect(plain(evaluate('ArgMax', [x], { axis: 1 })[0])).toEqual({ dims: [2, 1], values: [1, 0], isFloat: false });
    expect(plain(evaluate('ArgMax', [x], { axis: -2, keepdims: 0 })[0])).toEqual({ dims: [3], values: [1, 0, 1], isFloat: false });
    expect(plain(evaluate('ArgMax', [x])[0]).dims).toEqual([1, 3]);
  });

  it('resolves ties to the last index with select_last_index = 1', () => {
    expect([...evaluate('ArgMax', [x], { axis: 1, select_last_index: 1 })[0].data]).toEqual([2, 2]);
  });
});

describe('TopK', () => {
  const x = f([1, 5], [3, 1, 4, 1, 5]);

  it('returns the k largest, sorted, with their indices', () => {
    const [values, indices] = evaluate('TopK', [x, i([1], [3])]);
    expect(plain(values)).toEqual({ dims: [1, 3], values: [5, 4, 3], isFloat: true });
    expect(plain(indices)).toEqual({ dims: [1, 3], values: [4, 2, 0], isFloat: false });
  });

  it('returns the k smallest with largest = 0, equal values by lower index first', () => {
    const [values, indices] = evaluate('TopK', [x, i([1], [2])], { largest: 0 });
    expect([...values.data]).toEqual([1, 1]);
    expect([...indices.data]).toEqual([1, 3]);
  });

  it('works along a leading axis and rejects k beyond the axis', () => {
    const [values] = evaluate('TopK', [f([2, 2], [1, 4, 3, 2]), i([1], [1])], { axis: 0 });
    expect(plain(values)).toEqual({ dims: [1, 2], values: [3, 4], isFloat: true });
    expect(() => evaluate('TopK', [x, i([1], [6])])).toThrow(BnncError);
  });
});

describe('MatMul', () => {
  it('broadcasts batch axes', () => {
    const a = f([2, 1, 2], [1, 2, 3, 4]);
    const b = f([2, 2], [1, 0, 0, 10]);
    expect(plain(evaluate('MatMul', [a, b])[0])).toEqual({ dims: [2, 1, 2], values: [1, 20, 3, 40], isFloat: true });
    expect(plain(evaluate('MatMul', [f([2], [1, 2]), f([1, 2, 2], [1, 0, 0, 10])])[0]).dims).toEqual([1, 2]);
  });

  it('treats 1-D operands as a row (left) or a column (right) and drops that axis', () => {
    expect(plain(evaluate('MatMul', [f([2], [1, 2]), f([2, 3], [1, 2, 3, 4, 5, 6])])[0])).toEqual({ dims: [3], values: [9, 12, 15], isFloat: true });
    expect(plain(evaluate('MatMul', [f([2, 2], [1, 2, 3, 4]), f([2], [1, 1])])[0])).toEqual({ dims: [2], values: [3, 7], isFloat: true });
  });

  it('keeps integer products integer and rounds float sums to float32 in index order', () => {
    expect(evaluate('MatMul', [i([1, 2], [2, 3]), i([2, 1], [4, 5])])[0]).toEqual(i([1, 1], [23]));
    // 1 + 2^-24 rounds to 1 at every step: float32 sum 1, not the float64 1 + 2^-23.
    expect([...matmul(f([1, 3], [1, 1, 1]), f([3, 1], [1, 2 ** -24, 2 ** -24]))!.data]).toEqual([1]);
  });

  it('rejects mismatched inner sizes', () => {
    expect(() => evaluate('MatMul', [f([1, 2], [1, 2]), f([3, 1], [1, 2, 3])])).toThrow(/cannot multiply \[1,2\] by \[3,1\]/);
  });
});

describe('Gemm', () => {
  it('transposes A with transA = 1', () => {
    const a = f([2, 1], [1, 2]);
    const b = f([2, 2], [1, 2, 3, 4]);
    expect(plain(evaluate('Gemm', [a, b, f([2], [10, 20])], { transA: 1 })[0])).toEqual({ dims: [1, 2], values: [17, 30], isFloat: true });
  });
});

describe('Shape', () => {
  const x = f([2, 3, 4, 5], new Array(120).fill(0));

  it('slices the shape with start and end, negative values from the end, clamped', () => {
    expect(plain(evaluate('Shape', [x], { start: 1, end: -1 })[0])).toEqual({ dims: [2], values: [3, 4], isFloat: false });
    expect([...evaluate('Shape', [x], { start: -10 })[0].data]).toEqual([2, 3, 4, 5]);
    expect([...evaluate('Shape', [x], { start: 3, end: 1 })[0].data]).toEqual([]);
  });
});

describe('Reshape', () => {
  it('copies the input dimension for a 0, or keeps a 0 with allowzero = 1', () => {
    expect(evaluate('Reshape', [f([2, 3], [1, 2, 3, 4, 5, 6]), i([2], [0, -1])])[0].dims).toEqual([2, 3]);
    expect(evaluate('Reshape', [f([0, 3], []), i([2], [3, 0])], { allowzero: 1 })[0].dims).toEqual([3, 0]);
    expect(() => evaluate('Reshape', [f([0, 3], []), i([2], [3, 0])])).toThrow(/cannot reshape \[0,3\] to \[3,0\]/);
  });
});

describe('Dropout', () => {
  const x = f([2], [1.5, -2]);

  it('passes the input through and gives an all-true mask', () => {
    const [y, mask] = evaluate('Dropout', [x]);
    expect(y).toEqual(x);
    expect(plain(mask)).toEqual({ dims: [2], values: [1, 1], isFloat: false });
  });

  it('is the identity in training mode with ratio 0, and unsupported with a ratio above 0', () => {
    const training = i([], [1]);
    expect(evaluate('Dropout', [x, f([], [0]), training])[0]).toEqual(x);
    expect(() => evaluate('Dropout', [x, f([], [0.5]), training])).toThrow(/training_mode = 1 with ratio = 0.5/);
    expect(evaluate('Dropout', [x, f([], [0.5]), i([], [0])])[0]).toEqual(x);
  });
});

describe('BatchNormalization', () => {
  it('refuses training_mode = 1 instead of normalizing with the stored statistics', () => {
    const one = f([1], [1]);
    expect(() => evaluate('BatchNormalization', [f([1, 1], [2]), one, one, one, one], { training_mode: 1 })).toThrow(/training_mode = 1/);
  });
});

describe('Cast', () => {
  it('truncates floats toward zero into integer types and refuses values out of range', () => {
    expect([...evaluate('Cast', [f([3], [-1.7, 2.9, -0.5])], { to: 3 })[0].data]).toEqual([-1, 2, 0]);
    expect(Object.is(evaluate('Cast', [f([1], [-0.5])], { to: 6 })[0].data[0], 0)).toBe(true);
    expect(() => evaluate('Cast', [f([1], [300])], { to: 2 })).toThrow(/300 is out of range for uint8/);
  });

  it('wraps integers around like numpy astype', () => {
    expect([...evaluate('Cast', [i([3], [300, -1, 128])], { to: 2 })[0].data]).toEqual([44, 255, 128]);
    expect([...evaluate('Cast', [i([2], [128, -129])], { to: 3 })[0].data]).toEqual([-128, 127]);
    expect([...evaluate('Cast', [i([1], [-1])], { to: 12 })[0].data]).toEqual([4294967295]);
  });

  it('keeps float64 values, rounds float32, maps bool to 0/1', () => {
    expect(evaluate('Cast', [f([1], [0.1])], { to: 11 })[0]).toEqual(f([1], [0.1]));
    expect([...evaluate('Cast', [f([1], [0.1])], { to: 1 })[0].data]).toEqual([Math.fround(0.1)]);
    expect(evaluate('Cast', [f([3], [0, -2, 0.5])], { to: 9 })[0]).toEqual(i([3], [0, 1, 1]));
  });

  it('refuses types a ConstTensor cannot hold', () => {
    expect(() => evaluate('Cast', [f([1], [1])], { to: 10 })).toThrow(/Cast to float16/);
    expect(() => evaluate('Cast', [f([1], [1])], { to: 16 })).toThrow(/Cast to bfloat16/);
  });
});

describe('Pow', () => {
  it('gives the type of the base: integer bases truncate, float bases round to float32', () => {
    expect(evaluate('Pow', [i([2], [2, 3]), f([2], [0.5, 2])])[0]).toEqual(i([2], [1, 9]));
    expect(evaluate('Pow', [f([1], [2]), i([1], [-1])])[0]).toEqual(f([1], [0.5]));
    expect(() => evaluate('Pow', [i([1], [10]), i([1], [20])])).toThrow(/not an exact integer/);
  });
});

describe('Div', () => {
  it('truncates integer quotients toward zero and refuses integer division by zero', () => {
    expect(evaluate('Div', [i([4], [-7, 7, -7, 7]), i([4], [2, -2, -2, 2])])[0]).toEqual(i([4], [-3, -3, 3, 3]));
    expect(() => evaluate('Div', [i([1], [1]), i([1], [0])])).toThrow(/integer division by zero/);
    expect([...evaluate('Div', [f([1], [1]), f([1], [0])])[0].data]).toEqual([Infinity]);
  });
});
