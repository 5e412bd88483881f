/** dense_b1: the IR of a thresholded dense layer on binary input (passes/foldThresholds.ts creates it). */
import type { Origin, Thresholds } from '../../ir/types.ts';

export const KIND = 'dense_b1';

/** Binary input times binary weights, thresholded: bit = (popcount(x^w) > T) XOR flip. */
export interface DenseB1Layer extends Origin, Thresholds {
  kind: typeof KIND;
  inFeatures: number;
  /** Channels per pixel of the packed input (inFeatures for a flat vector; C after a conv). */
  inGroup: number;
  outFeatures: number;
  weights: Uint32Array;
}

export function denseB1Layer(fields: Omit<DenseB1Layer, 'kind'>): DenseB1Layer {
  return { kind: KIND, ...fields };
}
