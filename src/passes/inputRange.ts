/** Reachable accumulator ranges, from the input type and the weight signs. */
import type { InputDType } from '../ir/types.ts';

export function inputValueRange(dtype: 'uint8' | 'int8'): [number, number] {
  return dtype === 'uint8' ? [0, 255] : [-128, 127];
}

/** [min, max] of sum_i w_i x_i for w in {-1,+1} and x over the input type's range. */
export function integerAccumulatorRange(weightRow: ArrayLike<number>, dtype: 'uint8' | 'int8'): [number, number] {
  const [lo, hi] = inputValueRange(dtype);
  let min = 0;
  let max = 0;
  for (let i = 0; i < weightRow.length; i++) {
    if (weightRow[i] > 0) { min += lo; max += hi; } else { min -= hi; max -= lo; }
  }
  return [min, max];
}

export function isIntegerInput(dtype: InputDType): dtype is 'uint8' | 'int8' {
  return dtype === 'uint8' || dtype === 'int8';
}
