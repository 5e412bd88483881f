/**
 * [affine] -> sign at the model input (QONNX's 2x-1 then BipolarQuant, FINN's
 * /255 then MultiThreshold) becomes one comparison per feature on the raw
 * input: bit = (x < t) XOR flip. For float32 input, t is searched over every
 * finite float32 value, so the comparison is exact for every finite input. A
 * constant channel gets t = -FLT_MAX (x < t never holds), which keeps the
 * generated C free of math.h, unavailable on some bare-metal toolchains.
 */
import type { AffineStep, Layer } from '../ir/types.ts';
import { binarizeInputLayer } from '../ops/binarize_input/index.ts';
import { applySteps } from './affine.ts';
import { inputValueRange, isIntegerInput } from './inputRange.ts';
import { FLOAT32_MAX_INDEX, findBoundary, orderedFloat32 } from './monotone.ts';
import type { Pass } from './pass.ts';

function featureThreshold(steps: readonly AffineStep[], feature: number, domain: [number, number], toValue: (k: number) => number) {
  const neg = (k: number) => applySteps(toValue(k), steps, feature) < 0;
  const b = findBoundary(domain[0], domain[1], neg);
  if (b.atLow === b.atHigh) return { t: toValue(domain[0]), flip: b.atLow ? 1 : 0 };
  return { t: toValue(b.firstHigh), flip: b.atLow ? 0 : 1 };
}

export const foldInputBinarization: Pass = {
  name: 'foldInputBinarization',
  description: 'fold input scaling -> sign at the model input into one exact comparison per input feature',
  run(model) {
    const [first, second] = model.layers;
    const affine = first?.kind === 'affine' ? first : undefined;
    const sign = affine ? second : first;
    if (sign?.kind !== 'sign') return model;
    const steps = affine?.steps ?? [];
    const features = sign.features;
    const dtype = model.input.dtype;
    const domain: [number, number] = isIntegerInput(dtype) ? inputValueRange(dtype) : [-FLOAT32_MAX_INDEX, FLOAT32_MAX_INDEX];
    const toValue = isIntegerInput(dtype) ? (k: number) => k : orderedFloat32;
    const threshold = new Float32Array(features);
    const flip = new Uint8Array(features);
    for (let f = 0; f < features; f++) {
      const r = featureThreshold(steps, f, domain, toValue);
      threshold[f] = r.t;
      flip[f] = r.flip;
    }
    const next = model.layers[affine ? 2 : 1];
    const layer = binarizeInputLayer({
      name: sign.name,
      sources: [...(affine?.sources ?? []), ...sign.sources],
      features,
      // A convolution reads pixels (NHWC packing); a dense layer reads one flat vector.
      shape: next?.kind === 'conv2d' ? next.inShape : [1, 1, features],
      threshold,
      flip,
    });
    const rest: Layer[] = model.layers.slice(affine ? 2 : 1);
    return { ...model, layers: [layer, ...rest] };
  },
};
