/**
 * Every size a C kernel takes has a documented range (templates/c/kernels/*,
 * bnn_kernels.h): the fields of bnn_conv2d_params_t are int16_t (sizes) and
 * int8_t (kernel, stride, padding, pool), and the dense kernels take at most
 * 65,535 words or inputs per row and 65,535 outputs. A kernel called outside its
 * range returns BNN_ERROR_ARGUMENT at run time (or truncates a field), so a
 * lowered layer outside a range is refused here, at lowering, naming the layer,
 * the limit and what to do. Each op states its ranges (src/ops/<kind>/index.ts;
 * the conv struct's in src/ops/common/convParams.ts). Accumulator ranges (int32)
 * are checked where the thresholds are computed (foldThresholds.ts).
 */
import type { LoweredLayer, Model } from '../ir/types.ts';
import { isLowered, opFor } from '../ops/registry.ts';
import type { Limit } from '../ops/types.ts';
import type { Pass } from './pass.ts';
import { layerError } from './pass.ts';

export type { Limit };

/** The documented ranges of the kernel the layer runs on (each op's kernelLimits, src/ops/<kind>/index.ts). */
export function kernelLimits(model: Model, layer: LoweredLayer): Limit[] {
  return opFor(layer).kernelLimits(layer, model);
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
