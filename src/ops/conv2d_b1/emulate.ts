/**
 * conv2d_b1: direct convolution over NHWC-packed channels,
 *   dot = sum over taps of (C - 2 popcount(x_tap ^ w_tap)); a tap outside the
 *   input contributes 0 (float-zero padding) or reads an all-0 (+1) or all-1 (-1) pixel,
 * then the optional pool and the threshold (common/conv.ts).
 */
import { popcount32, wordsFor } from '../../bitops.ts';
import { thresholdAll, type TapSum } from '../common/conv.ts';
import type { Conv2dB1Layer } from './index.ts';

export function binaryTapSum(layer: Conv2dB1Layer, input: Uint32Array): TapSum {
  const [h, w, c] = layer.inShape;
  const [kh, kw] = layer.kernel;
  const cw = wordsFor(c);
  const tail = c % 32 === 0 ? 0xffffffff : (1 << (c % 32)) - 1;
  return (o, y, x) => {
    let dot = 0;
    for (let ky = 0; ky < kh; ky++) {
      const iy = y * layer.stride[0] - layer.pads[0] + ky;
      for (let kx = 0; kx < kw; kx++) {
        const ix = x * layer.stride[1] - layer.pads[1] + kx;
        const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
        if (!inside && layer.padding === 'zero') continue;
        const wOff = ((o * kh + ky) * kw + kx) * cw;
        let pop = 0;
        for (let k = 0; k < cw; k++) {
          const mask = k === cw - 1 ? tail : 0xffffffff;
          const xv = inside ? input[(iy * w + ix) * cw + k] : layer.padding === 'minus' ? mask : 0;
          pop += popcount32((xv ^ layer.weights[wOff + k]) >>> 0);
        }
        dot += c - 2 * pop;
      }
    }
    return dot;
  };
}

export function conv2dB1(layer: Conv2dB1Layer, input: Uint32Array): Uint32Array {
  return thresholdAll(layer, binaryTapSum(layer, input));
}
