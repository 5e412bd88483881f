/**
 * The word-level emulator kernels against their element-by-element
 * definitions over random shapes (lengths not a multiple of 32 included),
 * random and sparse inputs (the bit-plane kernel skips zero plane words).
 */
import { describe, expect, it } from 'vitest';
import { getBit, wordsFor } from '../../src/bitops.ts';
import { channelPopcount, popcounts } from '../../src/ops/dense_b1/emulate.ts';
import { integerAccumulators, integerAccumulatorSimple } from '../../src/ops/dense_int_b1/emulate.ts';
import { thresholdAll } from '../../src/ops/common/conv.ts';
import { binaryTapSum, conv2dB1 } from '../../src/ops/conv2d_b1/emulate.ts';
import { conv2dB1Layer } from '../../src/ops/conv2d_b1/index.ts';
import { conv2dIntB1, integerTapSum } from '../../src/ops/conv2d_int_b1/emulate.ts';
import { conv2dIntB1Layer } from '../../src/ops/conv2d_int_b1/index.ts';
import { rng } from '../helpers/onnxBuilder.ts';

function randomWords(count: number, next: () => number, bits: number): Uint32Array {
  const words = new Uint32Array(count * wordsFor(bits));
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < bits; i++) if (next() < 0.5) words[r * wordsFor(bits) + (i >>> 5)] |= 1 << (i & 31);
  }
  return words;
}

describe('dense_int_b1 bit planes', () => {
  for (const signed of [false, true]) {
    it(`equals the element-by-element sum (${signed ? 'int8' : 'uint8'}, sizes 1..300, dense and sparse inputs)`, () => {
      const next = rng(signed ? 11 : 12);
      for (let trial = 0; trial < 60; trial++) {
        const inF = 1 + Math.floor(next() * 300);
        const outF = 1 + Math.floor(next() * 13);
        const weights = randomWords(outF, next, inF);
        const density = [1, 0.2, 0][trial % 3];
        const x = Array.from({ length: inF }, () => {
          if (next() >= density) return 0;
          const v = Math.floor(next() * 256);
          return signed ? v - 128 : v;
        });
        if (trial % 7 === 0) x.fill(signed ? -128 : 255);
        const fast = integerAccumulators(x, weights, inF, outF, signed);
        const simple = Array.from({ length: outF }, (_, o) => integerAccumulatorSimple(x, weights, inF, o));
        expect([...fast], `trial ${trial}: ${inF} -> ${outF}`).toEqual(simple);
      }
    });
  }
});

describe('dense_b1 popcounts', () => {
  it('equal the bit-by-bit count of differing bits (sizes 1..300)', () => {
    const next = rng(13);
    for (let trial = 0; trial < 40; trial++) {
      const inF = 1 + Math.floor(next() * 300);
      const outF = 1 + Math.floor(next() * 9);
      const weights = randomWords(outF, next, inF);
      const x = randomWords(1, next, inF);
      const fast = popcounts(x, weights, inF, outF);
      for (let o = 0; o < outF; o++) {
        let differing = 0;
        for (let i = 0; i < inF; i++) differing += getBit(x, i) ^ getBit(weights, i, o * wordsFor(inF));
        expect(fast[o]).toBe(differing);
        expect(channelPopcount(x, weights, inF, inF, o)).toBe(differing);
      }
    }
  });
});

/** A random convolution geometry: kernels 1..3, strides 1..2, pads 0..1, pools 1..3 (overlapping and padded too), any channel count up to 70. */
function randomGeometry(next: () => number, maxChannels: number) {
  const pick = (n: number) => Math.floor(next() * n);
  const kernel: [number, number] = [1 + pick(3), 1 + pick(3)];
  const stride: [number, number] = [1 + pick(2), 1 + pick(2)];
  const pads: [number, number, number, number] = [pick(2), pick(2), pick(2), pick(2)];
  const inShape: [number, number, number] = [kernel[0] + pick(5), kernel[1] + pick(5), 1 + pick(maxChannels)];
  const convH = Math.floor((inShape[0] + pads[0] + pads[2] - kernel[0]) / stride[0]) + 1;
  const convW = Math.floor((inShape[1] + pads[1] + pads[3] - kernel[1]) / stride[1]) + 1;
  const pool: [number, number] = [1 + pick(Math.min(3, convH)), 1 + pick(Math.min(3, convW))];
  // Overlapping (stride below the window) and padded pools too; a pad is below the window, as ONNX requires.
  const poolStride: [number, number] = [1 + pick(pool[0]), 1 + pick(pool[1])];
  const poolPads: [number, number] = [pick(pool[0]), pick(pool[1])];
  const oc = 1 + pick(40);
  return {
    name: 'c', sources: ['c'], inShape, kernel, stride, pads, pool, poolStride, poolPads,
    convShape: [convH, convW, oc] as [number, number, number],
    outShape: [
      Math.floor((convH + 2 * poolPads[0] - pool[0]) / poolStride[0]) + 1,
      Math.floor((convW + 2 * poolPads[1] - pool[1]) / poolStride[1]) + 1, oc,
    ] as [number, number, number],
    poolMode: next() < 0.5 ? 'max' as const : 'sum' as const,
    threshold: Int32Array.from({ length: oc }, () => pick(9) - 4),
    flip: Uint8Array.from({ length: oc }, () => (next() < 0.3 ? 1 : 0)),
  };
}

describe('convolutions, every position at once', () => {
  it('conv2d_b1 equals the one-output-at-a-time definition (three paddings, channels 1..70)', () => {
    const next = rng(14);
    for (let trial = 0; trial < 60; trial++) {
      const g = randomGeometry(next, 70);
      const padding = (['zero', 'plus', 'minus'] as const)[trial % 3];
      const layer = conv2dB1Layer({ ...g, padding, weights: randomWords(g.convShape[2] * g.kernel[0] * g.kernel[1], next, g.inShape[2]) });
      const input = randomWords(g.inShape[0] * g.inShape[1], next, g.inShape[2]);
      expect([...conv2dB1(layer, input)], `trial ${trial}`).toEqual([...thresholdAll(layer, binaryTapSum(layer, input))]);
    }
  });

  it('conv2d_int_b1 equals the one-output-at-a-time definition (uint8 and int8, with zeros)', () => {
    const next = rng(15);
    for (let trial = 0; trial < 60; trial++) {
      const g = randomGeometry(next, 4);
      const inputDType = trial % 2 ? 'int8' as const : 'uint8' as const;
      const layer = conv2dIntB1Layer({ ...g, padding: 'zero', inputDType, weights: randomWords(g.convShape[2] * g.kernel[0] * g.kernel[1], next, g.inShape[2]) });
      const input = Array.from({ length: g.inShape[0] * g.inShape[1] * g.inShape[2] }, () => {
        if (next() < 0.4) return 0;
        const v = Math.floor(next() * 256);
        return inputDType === 'int8' ? v - 128 : v;
      });
      // Thresholds in the accumulators' range, so both sides of the boundary occur.
      layer.threshold = layer.threshold.map(() => Math.floor((next() - 0.5) * 600));
      expect([...conv2dIntB1(layer, input)], `trial ${trial}`).toEqual([...thresholdAll(layer, integerTapSum(layer, input))]);
    }
  });
});
