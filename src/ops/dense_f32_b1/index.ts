/** dense_f32_b1, the first dense layer on float32 input (created by passes/foldThresholds.ts), at every stage below the importer. */
import { packBits, wordsFor } from '../../bitops.ts';
import type { AffineStep, Origin } from '../../ir/types.ts';
import { floatSumSlack, roundingGamma } from '../../passes/referenceRounding.ts';
import { thresholdKeyValue } from '../../passes/floatThresholds.ts';
import type { LoweredOp } from '../types.ts';
import { denseLimits, denseShapeText, thresholdedDenseConstants } from '../common/dense.ts';
import { words } from '../common/kernels.ts';
import { preview } from '../common/preview.ts';
import { denseF32B1, floatAccumulator } from './emulate.ts';

export const KIND = 'dense_f32_b1';

/**
 * Float32 input times binary weights, the float32 sum in input order,
 * thresholded: bit = (key(acc) < T) XOR flip, T the order-preserving key of a
 * float32 threshold (0: no accumulator is below it, a constant channel).
 */
export interface DenseF32B1Layer extends Origin {
  kind: typeof KIND;
  inFeatures: number;
  outFeatures: number;
  /** Packed weight rows, wordsFor(inFeatures) words each; bit 1 = weight -1. */
  weights: Uint32Array;
  /** Per channel: float32OrderKey of the first accumulator on the high side of the boundary (bitops.ts float32ThresholdKey). */
  threshold: Uint32Array;
  flip: Uint8Array;
  /** The dense bias the model adds after the sum (for the reference's rounding bound), or null. */
  bias: Float32Array | null;
  /** The float32 steps between the biased sum and the sign (for the slack at the sign, referenceSlackAt). */
  chain: AffineStep[];
}

export function denseF32B1Layer(fields: Omit<DenseF32B1Layer, 'kind'>): DenseF32B1Layer {
  return { kind: KIND, ...fields };
}

/**
 * How far the reference's float32 sum can lie from the kernel's: both add the
 * same n exact terms (+/-x_i) and the bias, in different orders, each within
 * gamma_{n+1} * (sum |x_i| + |bias|) of the exact sum.
 */
function sumDistance(layer: DenseF32B1Layer, feature: number, input: ArrayLike<number>): number {
  let sumAbs = 0;
  for (let i = 0; i < layer.inFeatures; i++) sumAbs += Math.abs(input[i]);
  const bias = layer.bias ? Math.abs(layer.bias[feature]) : 0;
  return 2 * roundingGamma(layer.inFeatures + 1) * (sumAbs + bias);
}

export const denseF32B1Op: LoweredOp<DenseF32B1Layer> = {
  kind: KIND,
  output: 'bits',
  outputShape: (layer) => [1, 1, layer.outFeatures],
  shapeText: denseShapeText,
  describe: (layer) => `${layer.inFeatures} -> ${layer.outFeatures} threshold=${preview(Float32Array.from(layer.threshold, thresholdKeyValue))} `
    + `flip=${preview(layer.flip)} weights=${layer.weights.length} words`,

  emulate: (layer, input) => denseF32B1(layer, input),
  accumulator: (layer, input, feature) => floatAccumulator(input, layer.weights, layer.inFeatures, feature),
  referenceSign: true,
  // A difference is the reference's rounding only when the kernel's sum lies within the two sums' distance of the boundary.
  withinReferenceRounding(layer, feature, input) {
    const boundary = thresholdKeyValue(layer.threshold[feature]);
    const acc = floatAccumulator(input, layer.weights, layer.inFeatures, feature);
    return Math.abs(acc - boundary) <= sumDistance(layer, feature, input);
  },
  // ... and when the reference's own value at the sign is within what that distance allows through the chain.
  referenceSlackAt(layer, feature, input) {
    const acc = floatAccumulator(input, layer.weights, layer.inFeatures, feature);
    return floatSumSlack(acc, layer.bias ? layer.bias[feature] : 0, sumDistance(layer, feature, input), layer.chain, feature);
  },

  outputBytes: (layer) => 4 * wordsFor(layer.outFeatures),
  scratchBytes: () => 0,
  kernelLimits: (layer) => denseLimits({ inputs: layer.inFeatures }, layer.outFeatures, 'bnn_dense_f32_b1'),

  channels: (layer) => layer.outFeatures,
  thresholdRange: () => [0, 0xffffffff],
  weightRows: (layer) => ({ length: layer.inFeatures, group: layer.inFeatures, words: wordsFor(layer.inFeatures) }),

  inputKind: () => 'float32',
  constants: thresholdedDenseConstants,

  code: (layer, site) => ({
    arrays: [words(`${site.base}_weights`, layer.weights), words(`${site.base}_threshold`, layer.threshold), words(`${site.base}_flip`, packBits(layer.flip))],
    params: false,
    call: {
      fn: 'bnn_dense_f32_b1', input: site.input, nIn: layer.inFeatures, weights: `${site.base}_weights`, nOut: layer.outFeatures,
      threshold: `${site.base}_threshold`, flip: `${site.base}_flip`, output: site.output,
    },
  }),
  kernelFiles: () => [{ file: 'bnn_dense_f32_b1.c' }],
};
