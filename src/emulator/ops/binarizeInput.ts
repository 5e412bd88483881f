/**
 * binarize_input: bit = (x < t) XOR flip per feature. Float input is compared
 * through order-preserving integer keys, exactly as the C kernel does (equal to
 * the float comparison for every non-NaN input); integer input directly.
 */
import { float32OrderKey, float32ThresholdKey, packGrouped } from '../../bitops.ts';
import type { BinarizeInputLayer } from '../../ir/types.ts';

export function binarizeInput(layer: BinarizeInputLayer, input: ArrayLike<number>, isFloat: boolean): Uint32Array {
  const bits = new Uint8Array(layer.features);
  for (let f = 0; f < layer.features; f++) {
    const below = isFloat
      ? float32OrderKey(Math.fround(input[f])) < float32ThresholdKey(layer.threshold[f])
      : input[f] < layer.threshold[f];
    bits[f] = (below ? 1 : 0) ^ layer.flip[f];
  }
  return packGrouped(bits, layer.shape[2]);
}
