/**
 * The word-level emulator kernels against their element-by-element
 * definitions over random shapes (lengths not a multiple of 32 included),
 * random and sparse inputs (the bit-plane kernel skips zero plane words).
 */
import { describe, expect, it } from 'vitest';
import { getBit, wordsFor } from '../../src/bitops.ts';
import { channelPopcount, popcounts } from '../../src/ops/dense_b1/emulate.ts';
import { integerAccumulators, integerAccumulatorSimple } from '../../src/ops/dense_int_b1/emulate.ts';
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
