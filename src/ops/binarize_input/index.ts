/** binarize_input (created by passes/foldInputBinarization.ts) at every stage below the importer. */
import type { Hwc, Origin } from '../../ir/types.ts';
import { float32ThresholdKey, packBits, packedWords, wordsFor } from '../../bitops.ts';
import { hexWords, int32s } from '../../codegen/literals.ts';
import type { LoweredOp } from '../types.ts';
import { chwToHwc } from '../common/inputOrder.ts';
import { INPUT_CTYPES, words } from '../common/kernels.ts';
import { preview } from '../common/preview.ts';
import { binarizeInput } from './emulate.ts';

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

/** Kernel name suffix per device input type. */
const SUFFIX = { float32: 'f32', uint8: 'u8', int8: 's8' } as const;

export const binarizeInputOp: LoweredOp<BinarizeInputLayer> = {
  kind: KIND,
  output: 'bits',
  outputShape: (layer) => layer.shape,
  shapeText: (layer) => `${layer.features} -> ${layer.shape[0] * layer.shape[1] > 1 ? layer.shape.join('x') : layer.features}`,
  describe: (layer) => `features=${layer.features} threshold=${preview(layer.threshold)} flip=${preview(layer.flip)}`,

  deviceInputOrder: (layer) => chwToHwc(layer.shape),
  emulate: (layer, input, model) => binarizeInput(layer, input, model.input.dtype === 'float32'),
  // The reference compares its input with the threshold exactly as bnnc does: no tie is ever the reference's rounding.
  referenceSign: true,
  withinReferenceRounding: () => false,

  outputBytes: (layer) => 4 * packedWords(layer.features, layer.shape[2]),
  scratchBytes: () => 0,
  kernelLimits(layer, model) {
    if (model.input.dtype === 'float32') return [];
    const t = layer.threshold;
    let lo = 0; let hi = 0;
    for (let i = 0; i < t.length; i++) { lo = Math.min(lo, t[i]); hi = Math.max(hi, t[i]); }
    const outside = hi > 32767 ? hi : lo;
    return [{ what: 'input threshold (int16_t in bnn_binarize_u8/s8)', value: outside, min: -32768, max: 32767, hint: 'report this model: bnnc computes these thresholds inside the input range' }];
  },

  channels: (layer) => layer.features,
  // The C kernel stores integer thresholds as int16_t, float ones as order keys of the float32.
  thresholdRange: (_layer, model) => (model.input.dtype === 'float32' ? [-Number.MAX_VALUE, Number.MAX_VALUE] : [-32768, 32767]),

  inputKind: (_layer, model) => model.input.dtype,
  constants(layer, model) {
    const tBytes = model.input.dtype === 'float32' ? 4 : 2;
    return { params: layer.features, bytes: layer.features * tBytes + 4 * wordsFor(layer.features) };
  },

  code(layer, site) {
    const isFloat = site.model.input.dtype === 'float32';
    // Per input feature in the device's order (HWC for an image), like the input the kernel reads.
    const order = chwToHwc(layer.shape);
    const threshold = order ? Float32Array.from(order, (i) => layer.threshold[i]) : layer.threshold;
    const flip = order ? Uint8Array.from(order, (i) => layer.flip[i]) : layer.flip;
    // Float thresholds become order-preserving keys (bitops.ts float32ThresholdKey): no FPU needed.
    const thresholds = isFloat ? hexWords(Array.from(threshold, float32ThresholdKey)) : int32s(threshold);
    return {
      arrays: [
        { ctype: isFloat ? 'uint32_t' : 'int16_t', name: `${site.base}_threshold`, length: layer.features, body: thresholds },
        words(`${site.base}_flip`, packBits(flip)),
      ],
      params: false,
      call: {
        fn: `bnn_binarize_${SUFFIX[site.model.input.dtype]}`, input: site.input, pixels: layer.features / layer.shape[2], group: layer.shape[2],
        threshold: `${site.base}_threshold`, flip: `${site.base}_flip`, output: site.output,
      },
    };
  },
  kernelFiles(_layer, model) {
    const dtype = model.input.dtype;
    const name = `bnn_binarize_${SUFFIX[dtype]}`;
    const file = `${name}.c`;
    return [{
      file,
      template: { name: 'c/kernels/bnn_binarize.c', context: { file, name, ctype: INPUT_CTYPES[dtype], ttype: dtype === 'float32' ? 'uint32_t' : 'int16_t', isFloat: dtype === 'float32' } },
    }];
  },
};
