/**
 * conv2d_b1: direct convolution over NHWC-packed channels,
 *   dot = sum over taps of (C - 2 popcount(x_tap ^ w_tap)); a tap outside the
 *   input contributes 0 (float-zero padding) or reads an all-0 (+1) or all-1 (-1) pixel,
 * then the optional pool and the threshold (common/conv.ts).
 * `binaryTapSum` is the definition, one output at a time; `binaryDots` computes
 * every position's dots word by word (what conv2dB1 runs);
 * test/ops/emulateFast.test.ts checks one against the other over random shapes.
 */
import { popcount32, wordsFor } from '../../bitops.ts';
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

/** The first input word of each tap's pixel at conv position (y, x); -1 for a tap outside the input. */
function tapOffsets(layer: Conv2dB1Layer, y: number, x: number): Int32Array {
  const [h, w] = layer.inShape;
  const [kh, kw] = layer.kernel;
  const cw = wordsFor(layer.inShape[2]);
  const offsets = new Int32Array(kh * kw);
  for (let ky = 0; ky < kh; ky++) {
    const iy = y * layer.stride[0] - layer.pads[0] + ky;
    for (let kx = 0; kx < kw; kx++) {
      const ix = x * layer.stride[1] - layer.pads[1] + kx;
      offsets[ky * kw + kx] = iy >= 0 && iy < h && ix >= 0 && ix < w ? (iy * w + ix) * cw : -1;
    }
  }
  return offsets;
}

/** Every convolution position's dot for every output channel, position-major ((y * convW + x) * C_out + o). */
export function binaryDots(layer: Conv2dB1Layer, input: Uint32Array): Int32Array {
  const [ch, cwid, oc] = layer.convShape;
  const c = layer.inShape[2];
  const cw = wordsFor(c);
  const taps = layer.kernel[0] * layer.kernel[1];
  const tail = c % 32 === 0 ? 0xffffffff : (1 << (c % 32)) - 1;
  const pad = new Uint32Array(cw);
  if (layer.padding === 'minus') { pad.fill(0xffffffff); pad[cw - 1] = tail; }
  // The tap's words: the input from its offset, or the padding pixel.
  const source = (offset: number) => (offset >= 0 ? input : pad);
  const dots = new Int32Array(ch * cwid * oc);
  const wordsPerRow = taps * cw;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cwid; x++) {
      const offsets = tapOffsets(layer, y, x);
      let valid = 0;
      for (let t = 0; t < taps; t++) if (offsets[t] >= 0 || layer.padding !== 'zero') valid++;
      const base = (y * cwid + x) * oc;
      for (let o = 0; o < oc; o++) {
        let pop = 0;
        const row = o * wordsPerRow;
        for (let t = 0; t < taps; t++) {
          const offset = offsets[t];
          if (offset < 0 && layer.padding === 'zero') continue;
          const xs = source(offset);
          const from = offset >= 0 ? offset : 0;
          for (let k = 0; k < cw; k++) pop += popcount32((xs[from + k] ^ layer.weights[row + t * cw + k]) >>> 0);
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
