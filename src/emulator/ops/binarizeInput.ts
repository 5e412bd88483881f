/** binarize_input: bit = (x < t) XOR flip per feature (x compared as float32, or as an integer for uint8/int8). */
import { packBits } from '../../bitops.ts';
import type { BinarizeInputLayer } from '../../ir/types.ts';

export function binarizeInput(layer: BinarizeInputLayer, input: ArrayLike<number>): Uint32Array {
  const bits = new Uint8Array(layer.features);
  for (let f = 0; f < layer.features; f++) bits[f] = ((Math.fround(input[f]) < layer.threshold[f] ? 1 : 0) ^ layer.flip[f]);
  return packBits(bits);
}
