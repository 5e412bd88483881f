/**
 * What the thresholded convolutions (conv2d_b1, conv2d_int_b1, conv2d_f32_b1, conv2d_grouped_b1)
 * share: the taps inside the input, the optional pool of the accumulators (overlapping and padded windows too) and the threshold, packed
 * per output pixel; the arena, fault, inspect and codegen figures of a
 * ConvGeometry. Each op supplies its own tap sum (the accumulator of one
 * output channel at one convolution position).
 */
import { integerThresholdBit, packGrouped, wordsFor } from '../../bitops.ts';
import type { ConvGeometry, Hwc, Thresholds } from '../../ir/types.ts';
import type { CallSite, LayerCode, WeightRows } from '../types.ts';
import { CONV_PARAMS_BYTES, convParamsInitializer } from './convParams.ts';
import { thresholdedArrays } from './kernels.ts';
import { preview } from './preview.ts';

/** Accumulator of output channel o at conv position (y, x). */
export type TapSum = (o: number, y: number, x: number) => number;

/**
 * Calls visit(pixel, tap) for each kernel tap of conv position (y, x) that falls inside the input,
 * in tap order (ky, then kx): pixel = iy * W + ix indexes the HWC input, tap = ky * KW + kx the
 * weights. Taps in the padding are skipped (zero padding); the caller adds the channels in its own arithmetic.
 */
export function forEachValidTap(g: Pick<ConvGeometry, 'inShape' | 'kernel' | 'stride' | 'pads'>, y: number, x: number, visit: (pixel: number, tap: number) => void): void {
  const [h, w] = g.inShape;
  const [kh, kw] = g.kernel;
  for (let ky = 0; ky < kh; ky++) {
    const iy = y * g.stride[0] - g.pads[0] + ky;
    if (iy < 0 || iy >= h) continue;
    for (let kx = 0; kx < kw; kx++) {
      const ix = x * g.stride[1] - g.pads[1] + kx;
      if (ix < 0 || ix >= w) continue;
      visit(iy * w + ix, ky * kw + kx);
    }
  }
}

type ThresholdedConv = ConvGeometry & Thresholds & { name: string; weights: Uint32Array };

/**
 * Max (or sum, for an average pool) over the pool window of the accumulators,
 * for output pixel (py, px); window positions outside the convolution output
 * (the pool's padding) are skipped, so they never win.
 */
export function pooledAccumulator(g: ConvGeometry, tapSum: TapSum, o: number, py: number, px: number): number {
  let best = -Infinity;
  let sum = 0;
  for (let qy = 0; qy < g.pool[0]; qy++) {
    const cy = py * g.poolStride[0] - g.poolPads[0] + qy;
    if (cy < 0 || cy >= g.convShape[0]) continue;
    for (let qx = 0; qx < g.pool[1]; qx++) {
      const cx = px * g.poolStride[1] - g.poolPads[1] + qx;
      if (cx < 0 || cx >= g.convShape[1]) continue;
      const v = tapSum(o, cy, cx);
      best = Math.max(best, v);
      sum += v;
    }
  }
  return g.poolMode === 'sum' ? sum : best;
}

/** The pooled accumulator behind output feature f (pixel-major, channels innermost). */
export function featureAccumulator(g: ConvGeometry, tapSum: TapSum, feature: number): { channel: number; acc: number } {
  const [, ow, oc] = g.outShape;
  const channel = feature % oc;
  const pixel = Math.floor(feature / oc);
  return { channel, acc: pooledAccumulator(g, tapSum, channel, Math.floor(pixel / ow), pixel % ow) };
}

/** bit = (pooled acc < T) XOR flip for every output pixel and channel, packed per pixel. */
export function thresholdAll(layer: ThresholdedConv, tapSum: TapSum): Uint32Array {
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

/**
 * The same as thresholdAll from every accumulator at once: `acc` holds the
 * convolution's accumulators position-major ((y * convW + x) * C_out + o over
 * convShape), as the word-level emulators compute them.
 */
export function thresholdAccumulators(layer: ThresholdedConv, acc: Int32Array): Uint32Array {
  const [oh, ow, oc] = layer.outShape;
  const [convH, convW] = layer.convShape;
  const [ph, pw] = layer.pool;
  const [sy, sx] = layer.poolStride;
  const [top, left] = layer.poolPads;
  const words = wordsFor(oc);
  const out = new Uint32Array(oh * ow * words);
  const sum = layer.poolMode === 'sum';
  // Locals: the layer objects of the two conv ops differ in shape, so property reads in the loop would be polymorphic.
  const { threshold, flip } = layer;
  for (let py = 0; py < oh; py++) {
    for (let px = 0; px < ow; px++) {
      const pixel = (py * ow + px) * words;
      for (let o = 0; o < oc; o++) {
        // As pooledAccumulator: window positions outside the convolution output (the pool's padding) never win.
        let pooled = sum ? 0 : -Infinity;
        for (let qy = 0; qy < ph; qy++) {
          const cy = py * sy - top + qy;
          if (cy < 0 || cy >= convH) continue;
          for (let qx = 0; qx < pw; qx++) {
            const cx = px * sx - left + qx;
            if (cx < 0 || cx >= convW) continue;
            const v = acc[(cy * convW + cx) * oc + o];
            pooled = sum ? pooled + v : (v > pooled ? v : pooled);
          }
        }
        out[pixel + (o >>> 5)] |= ((pooled < threshold[o] ? 1 : 0) ^ flip[o]) << (o & 31);
      }
    }
  }
  return out;
}

const hwc = (s: Hwc) => s.join('x');

export function convShapeText(g: { inShape: Hwc; outShape: Hwc }): string {
  return `${hwc(g.inShape)} -> ${hwc(g.outShape)}`;
}

export function convDescribe(layer: ThresholdedConv): string {
  return `${hwc(layer.inShape)} -> ${hwc(layer.outShape)} kernel ${layer.kernel.join('x')} ${layer.poolMode}-pool ${layer.pool.join('x')}${poolPlacement(layer)} ${layer.padding} threshold=${preview(layer.threshold)} flip=${preview(layer.flip)}`;
}

/** " stride SxS pads T,L" when the pool overlaps or is padded; nothing for the usual window = stride. */
function poolPlacement(g: ConvGeometry): string {
  const strided = g.poolStride[0] !== g.pool[0] || g.poolStride[1] !== g.pool[1];
  const padded = g.poolPads[0] !== 0 || g.poolPads[1] !== 0;
  return `${strided ? ` stride ${g.poolStride.join('x')}` : ''}${padded ? ` pads ${g.poolPads.join(',')}` : ''}`;
}

/** Packed output: wordsFor(C) words per output pixel. */
export function convOutputBytes(g: ConvGeometry): number {
  return 4 * g.outShape[0] * g.outShape[1] * wordsFor(g.outShape[2]);
}

/** A weight row is one output channel: kh * kw taps of C channels, each tap wordsFor(C) words. */
export function convWeightRows(g: ConvGeometry): WeightRows {
  const c = g.inShape[2];
  const taps = g.kernel[0] * g.kernel[1];
  return { length: taps * c, group: c, words: taps * wordsFor(c) };
}

/** Packed words of one output channel's weights in the C kernels: the k_h * k_w * C weight bits back to back. */
export function tapBitWords(g: ConvGeometry): number {
  return wordsFor(g.kernel[0] * g.kernel[1] * g.inShape[2]);
}

/**
 * The weights as the C kernels read them: per output channel, bit t * C + c is
 * tap t's channel c, so a tap of fewer than 32 channels shares its words with
 * the next taps (a 3x3 tap of 16 channels: 144 bits in 5 words instead of 9
 * half-empty ones). The IR keeps one group of wordsFor(C) words per tap (the
 * activations' packing); with C a multiple of 32 the two are the same.
 */
export function tapBitWeights(layer: ThresholdedConv): Uint32Array {
  const c = layer.inShape[2];
  const cw = wordsFor(c);
  const taps = layer.kernel[0] * layer.kernel[1];
  const oc = layer.outShape[2];
  if (c % 32 === 0) return layer.weights;
  const rowWords = tapBitWords(layer);
  const out = new Uint32Array(oc * rowWords);
  for (let o = 0; o < oc; o++) {
    for (let t = 0; t < taps; t++) {
      for (let ch = 0; ch < c; ch++) {
        const bit = (layer.weights[(o * taps + t) * cw + (ch >>> 5)] >>> (ch & 31)) & 1;
        const at = t * c + ch;
        out[o * rowWords + (at >>> 5)] |= bit << (at & 31);
      }
    }
  }
  return out;
}

/** Weights (as tapBitWeights emits them), thresholds, flips and the parameter struct. */
export function convConstants(layer: ThresholdedConv): { params: number; bytes: number } {
  const oc = layer.outShape[2];
  const params = layer.kernel[0] * layer.kernel[1] * layer.inShape[2] * oc + oc;
  return { params, bytes: 4 * oc * tapBitWords(layer) + 4 * oc + 4 * wordsFor(oc) + CONV_PARAMS_BYTES };
}

/** `weights`: as the op's C kernel reads them (default: tapBitWeights, the layout of bnn_conv2d_b1 and bnn_conv2d_int.h). */
export function convCode(layer: ThresholdedConv, site: CallSite, fn: string, weights: Uint32Array = tapBitWeights(layer)): LayerCode {
  const { base } = site;
  const params = { name: `${base}_geometry`, body: convParamsInitializer(layer) };
  return {
    arrays: thresholdedArrays(base, { ...layer, weights }),
    params,
    call: { fn, input: site.input, weights: `${base}_weights`, params: params.name, threshold: `${base}_threshold`, flip: `${base}_flip`, output: site.output, scratch: site.scratch },
  };
}
