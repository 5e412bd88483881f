/**
 * Every size a C kernel takes has a documented range (templates/c/kernels/*,
 * bnn_kernels.h): the fields of bnn_conv2d_params_t are int16_t (sizes) and
 * int8_t (kernel, stride, padding, pool), and the dense kernels take at most
 * 65,535 words or inputs per row and 65,535 outputs. A kernel called outside its
 * range returns BNN_ERROR_ARGUMENT at run time (or truncates a field), so a
 * lowered layer outside a range is refused here, at lowering, naming the layer,
 * the limit and what to do. Accumulator ranges (int32) are checked where the
 * thresholds are computed (foldThresholds.ts).
 */
import { packedWords, wordsFor } from '../bitops.ts';
import type { ConvGeometry, Layer, LoweredLayer, Model } from '../ir/types.ts';
import { LOWERED_KINDS } from '../ir/types.ts';
import type { Pass } from './pass.ts';
import { layerError } from './pass.ts';

/** Largest value of the kernels' int16_t / int8_t parameter fields and of the dense kernels' row and output counts. */
export const KERNEL_LIMITS = { int16: 32767, int8: 127, rowWords: 65535, rowInputs: 65535, outputs: 65535 } as const;

interface Limit {
  /** What is limited, e.g. "kernel height (k_h, int8_t)". */
  what: string;
  value: number;
  min: number;
  max: number;
  /** What the user can do about a value above max. */
  hint: string;
}

const SPLIT_CHANNELS = 'split the layer into several smaller ones in the source model';

function convLimits(layer: ConvGeometry & { kind: LoweredLayer['kind'] }): Limit[] {
  const [ih, iw, ic] = layer.inShape;
  const [oh, ow, oc] = layer.outShape;
  const size = (what: string, value: number): Limit => ({ what: `${what} (int16_t in bnn_conv2d_params_t)`, value, min: 1, max: KERNEL_LIMITS.int16, hint: 'downscale the input or use fewer channels' });
  const small = (what: string, value: number, min: number): Limit => ({ what: `${what} (int8_t in bnn_conv2d_params_t)`, value, min, max: KERNEL_LIMITS.int8, hint: 'use a smaller window (e.g. a stack of small convolutions or pools)' });
  const limits = [
    size('input height', ih), size('input width', iw), size('input channels', ic),
    size('output height', oh), size('output width', ow), size('output channels', oc),
    small('kernel height', layer.kernel[0], 1), small('kernel width', layer.kernel[1], 1),
    small('stride height', layer.stride[0], 1), small('stride width', layer.stride[1], 1),
    small('top padding', layer.pads[0], 0), small('left padding', layer.pads[1], 0),
    small('pool height', layer.pool[0], 1), small('pool width', layer.pool[1], 1),
  ];
  if (layer.kind === 'conv2d_b1') {
    // Interior positions run bnn_dense_b1_pop over the whole patch.
    limits.push({ what: 'packed words per patch (k_h * k_w * ceil(in_c / 32), bnn_dense_b1_pop n_words)', value: layer.kernel[0] * layer.kernel[1] * wordsFor(ic), min: 1, max: KERNEL_LIMITS.rowWords, hint: 'use a smaller kernel or fewer input channels' });
  }
  return limits;
}

function denseLimits(words: number, inputs: number | null, outputs: number, fn: string): Limit[] {
  const limits: Limit[] = [{ what: `outputs (${fn} n_out)`, value: outputs, min: 1, max: KERNEL_LIMITS.outputs, hint: SPLIT_CHANNELS }];
  if (inputs === null) limits.push({ what: `packed input words (${fn} n_words)`, value: words, min: 1, max: KERNEL_LIMITS.rowWords, hint: SPLIT_CHANNELS });
  else limits.push({ what: `inputs (${fn} n_in)`, value: inputs, min: 1, max: KERNEL_LIMITS.rowInputs, hint: 'downscale the input, or binarize it (--input-type float32 with a sign first: binary layers take up to 65,535 words)' });
  return limits;
}

/** The documented ranges of the kernel the layer runs on. */
export function kernelLimits(model: Model, layer: LoweredLayer): Limit[] {
  switch (layer.kind) {
    case 'conv2d_b1':
    case 'conv2d_int_b1':
      return convLimits(layer);
    case 'dense_b1':
      return denseLimits(packedWords(layer.inFeatures, layer.inGroup), null, layer.outFeatures, 'bnn_dense_b1');
    case 'dense_b1_scores':
      return denseLimits(packedWords(layer.inFeatures, layer.inGroup), null, layer.outFeatures, 'bnn_dense_b1_pop');
    case 'dense_int_b1':
    case 'dense_int_scores':
      return denseLimits(wordsFor(layer.inFeatures), layer.inFeatures, layer.outFeatures, `bnn_dense_${layer.inputDType === 'uint8' ? 'u8' : 's8'}_${layer.kind === 'dense_int_b1' ? 'b1' : 'acc'}`);
    case 'binarize_input': {
      if (model.input.dtype === 'float32') return [];
      const t = layer.threshold;
      let lo = 0; let hi = 0;
      for (let i = 0; i < t.length; i++) { lo = Math.min(lo, t[i]); hi = Math.max(hi, t[i]); }
      const outside = hi > 32767 ? hi : lo;
      return [{ what: 'input threshold (int16_t in bnn_binarize_u8/s8)', value: outside, min: -32768, max: 32767, hint: 'report this model: bnnc computes these thresholds inside the input range' }];
    }
    case 'maxpool_b1':
      return [];
  }
}

export const checkKernelLimits: Pass = {
  name: 'checkKernelLimits',
  description: 'refuse a lowered layer outside the documented ranges of its C kernel (int16/int8 conv fields, 65,535 words, inputs or outputs per dense row)',
  run(model) {
    for (const layer of model.layers) {
      if (!isLowered(layer)) continue;
      for (const limit of kernelLimits(model, layer)) {
        if (limit.value >= limit.min && limit.value <= limit.max) continue;
        throw layerError(model, layer, `${limit.what} is ${limit.value}, outside the C kernel's range`,
          `${limit.what} in [${limit.min}, ${limit.max}]`, limit.hint);
      }
    }
    return model;
  },
};

function isLowered(layer: Layer): layer is LoweredLayer {
  return LOWERED_KINDS.has(layer.kind);
}
