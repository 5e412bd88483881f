/**
 * conv2d_int_b1: acc = sum over valid taps and channels of (w = +1 ? x : -x),
 * the input read in HWC order (the device's: interleaved channels), out-of-range taps contribute 0;
 * then the optional pool and the threshold (common/conv.ts).
 * `integerTapSum` is the definition, one output at a time; `integerAccumulatorsAll`
 * computes every position at once on typed arrays (what conv2dIntB1 runs);
 * test/ops/emulateFast.test.ts checks one against the other over random shapes.
 */
import { getBit, wordsFor } from '../../bitops.ts';
import { forEachValidTap, thresholdAccumulators, type TapSum } from '../common/conv.ts';
import type { Conv2dIntB1Layer } from './index.ts';

export function integerTapSum(layer: Conv2dIntB1Layer, input: ArrayLike<number>): TapSum {
  const c = layer.inShape[2];
  const cw = wordsFor(c);
  const taps = layer.kernel[0] * layer.kernel[1];
  return (o, y, x) => {
    let acc = 0;
    forEachValidTap(layer, y, x, (pixel, tap) => {
      const wOff = (o * taps + tap) * cw;
      for (let ch = 0; ch < c; ch++) {
        const v = input[pixel * c + ch];
        acc += getBit(layer.weights, ch, wOff) ? -v : v;
      }
    });
    return acc;
  };
}

/** The weights as +1/-1 per (o, tap, channel), unpacked once per call. */
function weightSigns(layer: Conv2dIntB1Layer): Int8Array {
  const c = layer.inShape[2];
  const cw = wordsFor(c);
  const taps = layer.kernel[0] * layer.kernel[1];
  const oc = layer.convShape[2];
  const signs = new Int8Array(oc * taps * c);
  for (let o = 0; o < oc; o++) {
    for (let t = 0; t < taps; t++) {
      for (let ch = 0; ch < c; ch++) signs[(o * taps + t) * c + ch] = getBit(layer.weights, ch, (o * taps + t) * cw) ? -1 : 1;
    }
  }
  return signs;
}

/** Every convolution position's accumulator for every output channel, position-major ((y * convW + x) * C_out + o). */
function integerAccumulatorsAll(layer: Conv2dIntB1Layer, input: ArrayLike<number>): Int32Array {
  const [h, w, c] = layer.inShape;
  const [kh, kw] = layer.kernel;
  const [ch, cwid, oc] = layer.convShape;
  const taps = kh * kw;
  const signs = weightSigns(layer);
  const acc = new Int32Array(ch * cwid * oc);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cwid; x++) {
      const base = (y * cwid + x) * oc;
      for (let ky = 0; ky < kh; ky++) {
        const iy = y * layer.stride[0] - layer.pads[0] + ky;
        if (iy < 0 || iy >= h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = x * layer.stride[1] - layer.pads[1] + kx;
          if (ix < 0 || ix >= w) continue;
          const t = ky * kw + kx;
          for (let chan = 0; chan < c; chan++) {
            const v = input[(iy * w + ix) * c + chan];
            if (v === 0) continue;
            for (let o = 0; o < oc; o++) acc[base + o] += signs[(o * taps + t) * c + chan] * v;
          }
        }
      }
    }
  }
  return acc;
}

export function conv2dIntB1(layer: Conv2dIntB1Layer, input: ArrayLike<number>): Uint32Array {
  return thresholdAccumulators(layer, integerAccumulatorsAll(layer, input));
}
