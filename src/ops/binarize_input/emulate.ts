/**
 * binarize_input: bit = (x < t) XOR flip per feature. Float input is compared
 * through order-preserving integer keys, exactly as the C kernel does (equal to
 * the float comparison for every non-NaN input); integer input directly.
 */
import { float32OrderKey, float32ThresholdKey, packGrouped } from '../../bitops.ts';
import type { BinarizeInputLayer } from './index.ts';

/**
 * The input is the device's: HWC for an image (pixel p, channel c at
 * p * channels + c), as the output is packed. Thresholds and flips are indexed
 * in the source model's order (CHW: c * pixels + p); the C arrays are
 * reordered to HWC at codegen.
 */
export function binarizeInput(layer: BinarizeInputLayer, input: ArrayLike<number>, isFloat: boolean): Uint32Array {
  const channels = layer.shape[2];
  const pixels = layer.features / channels;
  const bits = new Uint8Array(layer.features);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < channels; c++) {
      const i = p * channels + c;
      const source = c * pixels + p;
      const below = isFloat
        ? float32OrderKey(Math.fround(input[i])) < float32ThresholdKey(layer.threshold[source])
        : input[i] < layer.threshold[source];
      bits[i] = (below ? 1 : 0) ^ layer.flip[source];
    }
  }
  return packGrouped(bits, channels);
}
