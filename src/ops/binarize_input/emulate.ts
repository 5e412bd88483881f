/**
 * binarize_input: bit = (x < t) XOR flip per feature. Float input is compared
 * through order-preserving integer keys, exactly as the C kernel does (equal to
 * the float comparison for every non-NaN input); integer input directly.
 */
import { float32OrderKey, float32ThresholdKey, packGrouped } from '../../bitops.ts';
import type { BinarizeInputLayer } from './index.ts';

/**
 * Thresholds and flips are indexed like the input (CHW, the source model's
 * order); the output is packed NHWC (pixel p, channel c <- input c * pixels + p).
 */
export function binarizeInput(layer: BinarizeInputLayer, input: ArrayLike<number>, isFloat: boolean): Uint32Array {
  const channels = layer.shape[2];
  const pixels = layer.features / channels;
  const bits = new Uint8Array(layer.features);
  for (let i = 0; i < layer.features; i++) {
    const below = isFloat
      ? float32OrderKey(Math.fround(input[i])) < float32ThresholdKey(layer.threshold[i])
      : input[i] < layer.threshold[i];
    bits[(i % pixels) * channels + Math.floor(i / pixels)] = (below ? 1 : 0) ^ layer.flip[i];
  }
  return packGrouped(bits, channels);
}
