/** dense_int_b1, the first dense layer on uint8/int8 input (created by passes/foldThresholds.ts), at every stage below the importer. */
import type { IntegerInputRounding, Origin, Thresholds } from '../../ir/types.ts';
import { popcount32, wordsFor } from '../../bitops.ts';
import type { LoweredOp } from '../types.ts';
import { INT_DENSE_PREFIX, integerDenseKernel, ROW_ENGINE, thresholdedArrays } from '../common/kernels.ts';
import { denseLimits, denseShapeText, thresholdedDenseConstants, thresholdedDenseDescribe } from '../common/dense.ts';
import { integerInputReach, nearIntegerBoundary } from '../common/ties.ts';
import { denseIntB1, integerAccumulator } from './emulate.ts';

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

/** S = sum of the bit planes' weights: 255 for uint8 (1 + 2 + ... + 128), -1 for int8 (... + 64 - 128). */
const PLANE_WEIGHT_SUM = { uint8: 255, int8: -1 } as const;

/**
 * The thresholds the C kernel compares with: acc = sum_b c_b X_b - S popcount(w_o)
 * (bnn_dense_int.h), and popcount(w_o) depends on the weights only, so the
 * kernel counts 8 bit planes and compares their sum with T + S popcount(w_o).
 * Clamped to int32: the sum's magnitude is at most 255 * 32 * words < 2^31,
 * so a clamped threshold gives the same bit for every input.
 */
export function planeThresholds(layer: DenseIntB1Layer): Int32Array {
  const words = wordsFor(layer.inFeatures);
  const s = PLANE_WEIGHT_SUM[layer.inputDType];
  return layer.threshold.map((t, o) => {
    let negative = 0;
    for (let k = 0; k < words; k++) negative += popcount32(layer.weights[o * words + k]);
    return Math.min(2 ** 31 - 1, Math.max(-(2 ** 31), t + s * negative));
  });
}

export const denseIntB1Op: LoweredOp<DenseIntB1Layer> = {
  kind: KIND,
  output: 'bits',
  outputShape: (layer) => [1, 1, layer.outFeatures],
  shapeText: denseShapeText,
  describe: thresholdedDenseDescribe,

  emulate: (layer, input) => denseIntB1(layer, input),
  accumulator: (layer, input, feature) => integerAccumulator(input, layer.weights, layer.inFeatures, feature, layer.inputDType === 'int8'),
  referenceSign: true,
  withinReferenceRounding(layer, feature, input) {
    const reach = integerInputReach(layer, feature, input);
    return reach > 0 && nearIntegerBoundary(denseIntB1Op.accumulator!(layer, input, feature), layer.threshold[feature], reach);
  },

  outputBytes: (layer) => 4 * wordsFor(layer.outFeatures),
  // The input's 8 bit planes (bnn_dense_int.h).
  scratchBytes: (layer) => 8 * 4 * wordsFor(layer.inFeatures),
  kernelLimits: (layer) => denseLimits({ inputs: layer.inFeatures }, layer.outFeatures, `${INT_DENSE_PREFIX[layer.inputDType]}_b1`),

  channels: (layer) => layer.outFeatures,
  thresholdRange: () => [-(2 ** 31), 2 ** 31 - 1],
  weightRows: (layer) => ({ length: layer.inFeatures, group: layer.inFeatures, words: wordsFor(layer.inFeatures) }),

  inputKind: (layer) => layer.inputDType,
  constants: thresholdedDenseConstants,

  code: (layer, site) => ({
    arrays: thresholdedArrays(site.base, { ...layer, threshold: planeThresholds(layer) }),
    params: false,
    call: {
      fn: `${INT_DENSE_PREFIX[layer.inputDType]}_b1`, nIn: layer.inFeatures, scratch: site.scratch, input: site.input, weights: `${site.base}_weights`,
      nOut: layer.outFeatures, threshold: `${site.base}_threshold`, flip: `${site.base}_flip`, output: site.output,
    },
  }),
  // The bit-plane rows run on the binary row engine.
  kernelFiles: (layer) => [...integerDenseKernel(layer.inputDType, 'b1'), ROW_ENGINE],
};
