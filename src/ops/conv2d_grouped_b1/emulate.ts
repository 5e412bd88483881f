/**
 * conv2d_grouped_b1: output channel o of group g = floor(o / (OC / groups))
 * reads the Cg = C / groups input channels g * Cg .. g * Cg + Cg - 1 at each
 * dilated tap (y * stride - pad + ky * dilation),
 *   dot = sum over the taps inside the input of (Cg - 2 popcount(x_tap,g ^ w_tap)),
 * a tap outside contributing 0 (float-zero padding); then the optional pool and
 * the threshold (common/conv.ts).
 */
import { getGroupedBit, wordsFor } from '../../bitops.ts';
import { thresholdAll, type TapSum } from '../common/conv.ts';
import type { Conv2dGroupedB1Layer } from './index.ts';

export function groupedTapSum(layer: Conv2dGroupedB1Layer, input: Uint32Array): TapSum {
  const [h, w, c] = layer.inShape;
  const [kh, kw] = layer.kernel;
  const groupC = c / layer.groups;
  const groupOc = layer.outShape[2] / layer.groups;
  const gw = wordsFor(groupC);
  return (o, y, x) => {
    const first = Math.floor(o / groupOc) * groupC;
    let dot = 0;
    for (let ky = 0; ky < kh; ky++) {
      const iy = y * layer.stride[0] - layer.pads[0] + ky * layer.dilation[0];
      if (iy < 0 || iy >= h) continue;
      for (let kx = 0; kx < kw; kx++) {
        const ix = x * layer.stride[1] - layer.pads[1] + kx * layer.dilation[1];
        if (ix < 0 || ix >= w) continue;
        const wOff = ((o * kh + ky) * kw + kx) * gw;
        let pop = 0;
        for (let gc = 0; gc < groupC; gc++) {
          const xb = getGroupedBit(input, (iy * w + ix) * c + first + gc, c);
          const wb = (layer.weights[wOff + (gc >> 5)] >>> (gc & 31)) & 1;
          pop += xb ^ wb;
        }
        dot += groupC - 2 * pop;
      }
    }
    return dot;
  };
}

export function conv2dGroupedB1(layer: Conv2dGroupedB1Layer, input: Uint32Array): Uint32Array {
  return thresholdAll(layer, groupedTapSum(layer, input));
}
