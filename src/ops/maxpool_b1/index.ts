/** maxpool_b1, a max-pool after a sign (created by passes/foldThresholds.ts), at every stage below the importer: a window of packed bits ANDed per channel. */
import type { PoolWindow } from '../../ir/types.ts';
import { wordsFor } from '../../bitops.ts';
import type { LoweredOp } from '../types.ts';
import { convShapeText } from '../common/conv.ts';
import { maxpoolB1 } from './emulate.ts';

export const KIND = 'maxpool_b1';

/** Max-pool of binary activations: max of +/-1 is +1, so the output bit is the AND of the window's bits. */
export interface MaxPoolB1Layer extends PoolWindow {
  kind: typeof KIND;
  /** top, left, bottom, right: padded positions act as -1 (bit 1) and never win */
  pads: [number, number, number, number];
}

export function maxpoolB1Layer(fields: Omit<MaxPoolB1Layer, 'kind'>): MaxPoolB1Layer {
  return { kind: KIND, ...fields };
}

export const maxpoolB1Op: LoweredOp<MaxPoolB1Layer> = {
  kind: KIND,
  output: 'bits',
  outputShape: (layer) => layer.outShape,
  shapeText: convShapeText,
  describe: (layer) => `${layer.inShape.join('x')} -> ${layer.outShape.join('x')} window ${layer.kernel.join('x')} stride ${layer.stride.join('x')}${layer.pads.some((p) => p !== 0) ? ` pads ${layer.pads.join(',')}` : ''}`,

  emulate: (layer, input) => maxpoolB1(layer, input as Uint32Array),
  // The reference max-pools +-1 values: exact, and no sign of its own.
  referenceSign: false,
  withinReferenceRounding: () => false,

  outputBytes: (layer) => 4 * layer.outShape[0] * layer.outShape[1] * wordsFor(layer.outShape[2]),
  scratchBytes: () => 0,
  // Every window holds one real position, as in PyTorch (pad <= window / 2); the C kernel checks pad < window.
  kernelLimits: (layer) => layer.pads.map((p, i) => ({
    what: `max-pool padding ${['top', 'left', 'bottom', 'right'][i]}`, value: p, min: 0, max: layer.kernel[i % 2] - 1,
    hint: 'pad less than the pool window',
  })),

  channels: () => 0,

  inputKind: () => 'binary',
  constants: () => ({ params: 0, bytes: 0 }),

  code: (layer, site) => ({
    arrays: [],
    params: false,
    call: {
      fn: 'bnn_maxpool_b1', input: site.input, inH: layer.inShape[0], inW: layer.inShape[1], channels: layer.inShape[2], outH: layer.outShape[0], outW: layer.outShape[1],
      kH: layer.kernel[0], kW: layer.kernel[1], strideH: layer.stride[0], strideW: layer.stride[1],
      padTop: layer.pads[0], padLeft: layer.pads[1], output: site.output,
    },
  }),
  kernelFiles: () => [{ file: 'bnn_maxpool_b1.c' }],
};
