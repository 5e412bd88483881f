/** conv2d_int_b1: the IR of the first convolution on uint8/int8 input (passes/foldThresholds.ts creates it). */
import type { ConvGeometry, IntegerInputRounding, Origin, Thresholds } from '../../ir/types.ts';

export const KIND = 'conv2d_int_b1';

/** Integer-input conv (first layer; input in CHW order as the source model declares it): bit = (acc < T) XOR flip. */
export interface Conv2dIntB1Layer extends Origin, Thresholds, ConvGeometry {
  kind: typeof KIND;
  inputDType: 'uint8' | 'int8';
  /** For the per-sample tie bound; `referenceReach` is its worst case over every input. */
  referenceRounding?: IntegerInputRounding;
  weights: Uint32Array;
}

export function conv2dIntB1Layer(fields: Omit<Conv2dIntB1Layer, 'kind'>): Conv2dIntB1Layer {
  return { kind: KIND, ...fields };
}
