/** binarize_input: the IR of the first layer of a model whose input is binarized by a sign. */
import type { Hwc, Origin } from '../../ir/types.ts';

export const KIND = 'binarize_input';

/** Float or integer input to bits: bit = (x < threshold[i]) XOR flip[i], float thresholds exact in float32. */
export interface BinarizeInputLayer extends Origin {
  kind: typeof KIND;
  features: number;
  /** Packing of the output: [H, W, C] when a convolution reads it, [1, 1, features] otherwise. */
  shape: Hwc;
  threshold: Float32Array;
  flip: Uint8Array;
}

export function binarizeInputLayer(fields: Omit<BinarizeInputLayer, 'kind'>): BinarizeInputLayer {
  return { kind: KIND, ...fields };
}
