/**
 * conv2d_b1 and conv2d_int_b1: direct convolution over NHWC-packed channels,
 * an optional max-pool of the accumulators (window = stride), then the
 * threshold bit = (acc < T) XOR flip, packed per output pixel.
 *   binary:  dot = sum over taps of (C - 2 popcount(x_tap ^ w_tap)); a tap outside
 *            the input contributes 0 (float-zero padding) or reads an all-0 (+1)
 *            or all-1 (-1) pixel;
 *   integer: acc = sum over valid taps and channels of (w = +1 ? x : -x), the input
 *            read in CHW order (single channel), out-of-range taps contribute 0.
 */
import { getBit, integerThresholdBit, packGrouped, popcount32, wordsFor } from '../../bitops.ts';
import type { Conv2dB1Layer, Conv2dIntB1Layer, ConvGeometry } from '../../ir/types.ts';

/** Accumulator of output channel o at conv position (y, x). */
type TapSum = (o: number, y: number, x: number) => number;

function binaryTapSum(layer: Conv2dB1Layer, input: Uint32Array): TapSum {
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

function integerTapSum(layer: Conv2dIntB1Layer, input: ArrayLike<number>): TapSum {
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
          const v = input[(ch * h + iy) * w + ix];
          acc += getBit(layer.weights, ch, wOff) ? -v : v;
        }
      }
    }
    return acc;
  };
}

/** Max (or sum, for an average pool) over the pool window of the accumulators, for output pixel (py, px). */
export function pooledAccumulator(g: ConvGeometry, tapSum: TapSum, o: number, py: number, px: number): number {
  let best = -Infinity;
  let sum = 0;
  for (let qy = 0; qy < g.pool[0]; qy++) {
    for (let qx = 0; qx < g.pool[1]; qx++) {
      const v = tapSum(o, py * g.pool[0] + qy, px * g.pool[1] + qx);
      best = Math.max(best, v);
      sum += v;
    }
  }
  return g.poolMode === 'sum' ? sum : best;
}

function thresholdAll(layer: Conv2dB1Layer | Conv2dIntB1Layer, tapSum: TapSum): Uint32Array {
  const [oh, ow, oc] = layer.outShape;
  const bits = new Uint8Array(oh * ow * oc);
  for (let py = 0; py < oh; py++) {
    for (let px = 0; px < ow; px++) {
      for (let o = 0; o < oc; o++) {
        const acc = pooledAccumulator(layer, tapSum, o, py, px);
        bits[(py * ow + px) * oc + o] = integerThresholdBit(acc, layer.threshold[o], layer.flip[o]);
      }
    }
  }
  return packGrouped(bits, oc);
}

export function convAccumulator(layer: Conv2dB1Layer | Conv2dIntB1Layer, input: ArrayLike<number>): TapSum {
  return layer.kind === 'conv2d_b1' ? binaryTapSum(layer, input as Uint32Array) : integerTapSum(layer, input);
}

export function conv2dB1(layer: Conv2dB1Layer, input: Uint32Array): Uint32Array {
  return thresholdAll(layer, binaryTapSum(layer, input));
}

export function conv2dIntB1(layer: Conv2dIntB1Layer, input: ArrayLike<number>): Uint32Array {
  return thresholdAll(layer, integerTapSum(layer, input));
}
