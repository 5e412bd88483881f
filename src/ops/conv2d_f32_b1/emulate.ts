/**
 * conv2d_f32_b1: at each position, acc = the float32 sum of (w = +1 ? x : -x)
 * over the taps inside the input, in tap order (ky, kx, then channel, the input
 * read HWC), from +0, each addition rounded to float32; taps outside contribute
 * nothing (float-zero padding). The pool and the threshold run on the sum's
 * rank, an int32 with the float order (NaN above everything), so the shared
 * max-pool/threshold loop of the integer convolutions applies unchanged.
 */
import { float32OrderKey, getBit, wordsFor } from '../../bitops.ts';
import { forEachValidTap, thresholdAll, type TapSum } from '../common/conv.ts';
import type { Conv2dF32B1Layer } from './index.ts';

/** int32 with the order of the float32 values (-0 just below +0), NaN at INT32_MAX: below no threshold. */
export function float32Rank(value: number): number {
  return Number.isNaN(value) ? 0x7fffffff : (float32OrderKey(value) ^ 0x80000000) | 0;
}

/** The float32 a rank stands for (inverse of float32Rank for non-NaN values). */
export function rankValue(rank: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, rank >= 0 ? rank : (-1 - rank) | 0x80000000);
  return view.getFloat32(0);
}

/** The float32 sum at position (y, x) of output channel o, in the kernel's order. */
function floatTapSum(layer: Conv2dF32B1Layer, input: ArrayLike<number>, o: number, y: number, x: number): number {
  const c = layer.inShape[2];
  const cw = wordsFor(c);
  const taps = layer.kernel[0] * layer.kernel[1];
  let acc = 0;
  forEachValidTap(layer, y, x, (pixel, tap) => {
    const wOff = (o * taps + tap) * cw;
    for (let ch = 0; ch < c; ch++) {
      const v = input[pixel * c + ch];
      acc = Math.fround(getBit(layer.weights, ch, wOff) ? acc - v : acc + v);
    }
  });
  return acc;
}

/** The sum of |x| over the taps inside the input at position (y, x): what bounds the two sums' rounding. */
export function tapAbsSum(layer: Conv2dF32B1Layer, input: ArrayLike<number>, y: number, x: number): number {
  const c = layer.inShape[2];
  let sum = 0;
  forEachValidTap(layer, y, x, (pixel) => {
    for (let ch = 0; ch < c; ch++) sum += Math.abs(input[pixel * c + ch]);
  });
  return sum;
}

export function rankTapSum(layer: Conv2dF32B1Layer, input: ArrayLike<number>): TapSum {
  return (o, y, x) => float32Rank(floatTapSum(layer, input, o, y, x));
}

export function conv2dF32B1(layer: Conv2dF32B1Layer, input: ArrayLike<number>): Uint32Array {
  return thresholdAll(layer, rankTapSum(layer, input));
}
