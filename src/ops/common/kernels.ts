/** C types, kernel names and array helpers shared by several ops' codegen. */
import { packBits } from '../../bitops.ts';
import { hexWords, int32s } from '../../codegen/literals.ts';
import type { InputDType } from '../../ir/types.ts';
import type { CArray, KernelFile } from '../types.ts';

export const INPUT_CTYPES = { uint8: 'uint8_t', int8: 'int8_t', float32: 'float' } as const satisfies Record<InputDType, string>;

/** Name prefix of the integer-input dense kernels (bnn_dense_u8_b1 / _acc, bnn_dense_s8_b1 / _acc). */
export const INT_DENSE_PREFIX = { uint8: 'bnn_dense_u8', int8: 'bnn_dense_s8' } as const;


export function words(name: string, values: Uint32Array): CArray {
  return { ctype: 'uint32_t', name, length: values.length, body: hexWords(values) };
}

export function ints(name: string, values: Int32Array): CArray {
  return { ctype: 'int32_t', name, length: values.length, body: int32s(values) };
}

/** Weights, per-channel thresholds and packed flips: the arrays of every thresholded layer with binary weights. */
export function thresholdedArrays(base: string, layer: { weights: Uint32Array; threshold: Int32Array; flip: Uint8Array }): CArray[] {
  return [words(`${base}_weights`, layer.weights), ints(`${base}_threshold`, layer.threshold), words(`${base}_flip`, packBits(layer.flip))];
}

/** The binary row engine (popcount of x ^ w per row), which several kernels call. */
export const ROW_ENGINE: KernelFile = { file: 'bnn_dense_b1_pop.c' };

/** An integer-input dense kernel for one input type (`b1`: thresholded bits, `acc`: scores) and the bit-plane code it shares. */
export function integerDenseKernel(dtype: 'uint8' | 'int8', entry: 'b1' | 'acc'): KernelFile[] {
  return [{ file: `${INT_DENSE_PREFIX[dtype]}_${entry}.c` }, { file: 'bnn_dense_int.h' }];
}
