/**
 * conv2d_int_b1: acc = sum over valid taps and channels of (w = +1 ? x : -x),
 * the input read in HWC order (the device's: interleaved channels), out-of-range taps contribute 0;
 * then the optional pool and the threshold (common/conv.ts).
 */
import { getBit, wordsFor } from '../../bitops.ts';
import { thresholdAll, type TapSum } from '../common/conv.ts';
import type { Conv2dIntB1Layer } from './index.ts';

export function integerTapSum(layer: Conv2dIntB1Layer, input: ArrayLike<number>): TapSum {
  const [h, w, c] = layer.inShape;
  const [kh, kw] = layer.kernel;
  const cw = wordsFor(c);
  return (o, y, x) => {
    let acc = 0;
    for (let ky = 0; ky < kh; ky++) {
      const iy = y * layer.stride[0] - layer.pads[0] + ky;
      if (iy < 0 || iy >= h) continue;
      for (let kx = 0; kx < kw; kx++) {
        const ix = x * layer.stride[1] - layer.pads[1] + kx;
        if (ix < 0 || ix >= w) continue;
        const wOff = ((o * kh + ky) * kw + kx) * cw;
        for (let ch = 0; ch < c; ch++) {
          const v = input[(iy * w + ix) * c + ch];
          acc += getBit(layer.weights, ch, wOff) ? -v : v;
        }
      }
    }
    return acc;
  };
}

export function conv2dIntB1(layer: Conv2dIntB1Layer, input: ArrayLike<number>): Uint32Array {
  return thresholdAll(layer, integerTapSum(layer, input));
}
