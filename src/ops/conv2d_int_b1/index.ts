/** conv2d_int_b1, the first convolution on uint8/int8 input (created by passes/foldThresholds.ts), at every stage below the importer. */
import type { ConvGeometry, IntegerInputRounding, Origin, Thresholds } from '../../ir/types.ts';
import type { LoweredOp } from '../types.ts';
import { convCode, convConstants, convDescribe, convOutputBytes, convShapeText, convWeightRows, featureAccumulator } from '../common/conv.ts';
import { convParamLimits } from '../common/convParams.ts';
import { chwToHwc } from '../common/inputOrder.ts';
import { integerInputReach, nearIntegerBoundary } from '../common/ties.ts';
import { conv2dIntB1, integerTapSum } from './emulate.ts';

export const KIND = 'conv2d_int_b1';

/**
 * Integer-input conv (first layer): bit = (acc < T) XOR flip. The device input is
 * HWC (a camera frame's interleaved pixels); the source model's is CHW
 * (`deviceInputOrder` maps one to the other; a single channel is the same in both).
 */
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

/** A pool window other than 1 x 1 moved by 1 (bnn_conv2d_int_pooled): the kernel keeps the pooled accumulators in scratch. */
const pooled = (layer: Conv2dIntB1Layer) => layer.pool[0] !== 1 || layer.pool[1] !== 1 || layer.poolStride[0] !== 1 || layer.poolStride[1] !== 1;

/**
 * bnn_conv2d_int_scratch_words (bnn_conv2d_int.h): 3 kernel rows of 3 values moved by 1 row without a pool take a ring
 * of 64 signed sums and 4 words per output channel (table offsets, clamped threshold); every other layer 16 signed sums and 1 word
 * of the patch per 4 values, then, with a pool, two int32 per output channel (one position's and the pooled accumulators).
 */
function scratchWords(layer: Conv2dIntB1Layer): number {
  const [kh, kw] = layer.kernel;
  const values = kh * kw * layer.inShape[2];
  const outC = layer.outShape[2];
  if (kh === 3 && kw * layer.inShape[2] === 3 && layer.stride[0] === 1 && !pooled(layer)) return 64 + 4 * outC;
  return 17 * Math.ceil(values / 4) + (pooled(layer) ? 2 * outC : 0);
}

const PREFIX = { uint8: 'bnn_conv2d_u8', int8: 'bnn_conv2d_s8' } as const;

export const conv2dIntB1Op: LoweredOp<Conv2dIntB1Layer> = {
  kind: KIND,
  output: 'bits',
  outputShape: (layer) => layer.outShape,
  shapeText: convShapeText,
  describe: convDescribe,

  deviceInputOrder: (layer) => chwToHwc(layer.inShape),
  emulate: (layer, input) => conv2dIntB1(layer, input),
  accumulator: (layer, input, feature) => featureAccumulator(layer, integerTapSum(layer, input), feature).acc,
  referenceSign: true,
  withinReferenceRounding(layer, feature, input) {
    const channel = feature % layer.outShape[2];
    const reach = integerInputReach(layer, channel, input);
    if (reach === 0) return false;
    return nearIntegerBoundary(featureAccumulator(layer, integerTapSum(layer, input), feature).acc, layer.threshold[channel], reach);
  },

  outputBytes: convOutputBytes,
  scratchBytes: (layer) => 4 * scratchWords(layer),
  kernelLimits: convParamLimits,

  channels: (layer) => layer.outShape[2],
  thresholdRange: () => [-(2 ** 31), 2 ** 31 - 1],
  weightRows: convWeightRows,

  inputKind: (layer) => layer.inputDType,
  constants: convConstants,

  code: (layer, site) => convCode(layer, site, `${PREFIX[layer.inputDType]}_b1`),
  kernelFiles: (layer) => [{ file: `${PREFIX[layer.inputDType]}_b1.c` }, { file: 'bnn_conv2d_int.h' }, { file: 'bnn_conv2d_pool.h' }],
};
