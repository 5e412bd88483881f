/**
 * conv2d_b1: direct convolution over NHWC-packed channels,
 *   dot = sum over taps of (C - 2 popcount(x_tap ^ w_tap)); a tap outside the
 *   input contributes 0 (float-zero padding) or reads an all-0 (+1) or all-1 (-1) pixel,
 * then the optional pool and the threshold (common/conv.ts).
 * `binaryTapSum` is the definition, one output at a time; `binaryDots` computes
 * every position's dots word by word (what conv2dB1 runs);
 * test/ops/emulateFast.test.ts checks one against the other over random shapes.
 */
import { popcount32, POPCOUNT16, wordsFor } from '../../bitops.ts';
import { thresholdAccumulators, type TapSum } from '../common/conv.ts';
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

/**
 * The taps of conv position (y, x): the first input word of each tap inside the
 * input (with its tap index), and the indices of the taps outside it.
 */
function positionTaps(layer: Conv2dB1Layer, y: number, x: number, inside: Int32Array, outside: Int32Array): { inside: number; outside: number } {
  const [h, w] = layer.inShape;
  const [kh, kw] = layer.kernel;
  const cw = wordsFor(layer.inShape[2]);
  let nIn = 0, nOut = 0;
  for (let ky = 0; ky < kh; ky++) {
    const iy = y * layer.stride[0] - layer.pads[0] + ky;
    for (let kx = 0; kx < kw; kx++) {
      const ix = x * layer.stride[1] - layer.pads[1] + kx;
      if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
        inside[2 * nIn] = ky * kw + kx;
        inside[2 * nIn + 1] = (iy * w + ix) * cw;
        nIn++;
      } else outside[nOut++] = ky * kw + kx;
    }
  }
  return { inside: nIn, outside: nOut };
}

/** Every convolution position's dot for every output channel, position-major ((y * convW + x) * C_out + o). */
function binaryDots(layer: Conv2dB1Layer, input: Uint32Array): Int32Array {
  const [ch, cwid, oc] = layer.convShape;
  const c = layer.inShape[2];
  const cw = wordsFor(c);
  const taps = layer.kernel[0] * layer.kernel[1];
  const tail = c % 32 === 0 ? 0xffffffff : (1 << (c % 32)) - 1;
  // The pixel a tap outside the input reads (+1: all bits 0, -1: all bits 1 but the tail); float-zero padding skips the tap.
  const pad = new Uint32Array(cw);
  if (layer.padding === 'minus') { pad.fill(0xffffffff); pad[cw - 1] = tail; }
  const padTaps = layer.padding !== 'zero';
  const weights = layer.weights;
  const dots = new Int32Array(ch * cwid * oc);
  const wordsPerRow = taps * cw;
  const inside = new Int32Array(2 * taps);
  const outside = new Int32Array(taps);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cwid; x++) {
      const n = positionTaps(layer, y, x, inside, outside);
      const valid = padTaps ? taps : n.inside;
      const base = (y * cwid + x) * oc;
      for (let o = 0; o < oc; o++) {
        let pop = 0;
        const row = o * wordsPerRow;
        for (let j = 0; j < n.inside; j++) {
          const wOff = row + inside[2 * j] * cw;
          const xOff = inside[2 * j + 1];
          for (let k = 0; k < cw; k++) {
            const v = input[xOff + k] ^ weights[wOff + k];
            pop += POPCOUNT16[v & 0xffff] + POPCOUNT16[v >>> 16];
          }
        }
        if (padTaps) {
          for (let j = 0; j < n.outside; j++) {
            const wOff = row + outside[j] * cw;
            for (let k = 0; k < cw; k++) pop += popcount32((pad[k] ^ weights[wOff + k]) >>> 0);
          }
        }
        dots[base + o] = valid * c - 2 * pop;
      }
    }
  }
  return dots;
}

export function conv2dB1(layer: Conv2dB1Layer, input: Uint32Array): Uint32Array {
  return thresholdAccumulators(layer, binaryDots(layer, input));
}
