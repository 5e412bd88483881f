/** dense_int_b1: the IR of the first dense layer on uint8/int8 input (passes/foldThresholds.ts creates it). */
import type { IntegerInputRounding, Origin, Thresholds } from '../../ir/types.ts';

export const KIND = 'dense_int_b1';

/** Integer input (uint8/int8) times binary weights, thresholded: bit = (acc < T) XOR flip. */
export interface DenseIntB1Layer extends Origin, Thresholds {
  kind: typeof KIND;
  inputDType: 'uint8' | 'int8';
  /** For the per-sample tie bound; `referenceReach` is its worst case over every input. */
  referenceRounding?: IntegerInputRounding;
  inFeatures: number;
  outFeatures: number;
  /** Packed weight rows, wordsFor(inFeatures) words each; bit 1 = weight -1. */
  weights: Uint32Array;
}

export function denseIntB1Layer(fields: Omit<DenseIntB1Layer, 'kind'>): DenseIntB1Layer {
  return { kind: KIND, ...fields };
}
