/** conv2d_b1: the IR of a thresholded convolution on binary input (passes/foldThresholds.ts creates it). */
import type { ConvGeometry, Origin, Thresholds } from '../../ir/types.ts';

export const KIND = 'conv2d_b1';

/**
 * Binary conv: dot = sum over taps of (C - 2 popcount(x_tap ^ w_tap)), where taps
 * outside the input contribute 0 (float-zero padding) or use an all-0 / all-1
 * pixel (+1 / -1 padding); bit = (pooled dot < T) XOR flip.
 */
export interface Conv2dB1Layer extends Origin, Thresholds, ConvGeometry {
  kind: typeof KIND;
  /** Packed [oc][kh][kw] x wordsFor(C) words. */
  weights: Uint32Array;
}

export function conv2dB1Layer(fields: Omit<Conv2dB1Layer, 'kind'>): Conv2dB1Layer {
  return { kind: KIND, ...fields };
}
