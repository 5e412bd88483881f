/** Deterministic self-test inputs when no data set is given (a 32-bit LCG, the same on every machine). */
import type { LoweredModel } from '../ir/types.ts';
import { SELFTEST_VECTORS } from './inputs.ts';

export function defaultVectors(model: LoweredModel, count = SELFTEST_VECTORS): number[][] {
  let state = 0x2545f491;
  const next = () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state / 2 ** 32; };
  const value = () => {
    switch (model.input.dtype) {
      case 'uint8': return Math.floor(next() * 256);
      case 'int8': return Math.floor(next() * 256) - 128;
      default: return Math.fround(next());
    }
  };
  return Array.from({ length: count }, () => Array.from({ length: model.input.features }, value));
}
