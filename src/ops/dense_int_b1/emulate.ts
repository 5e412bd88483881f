/**
 * dense_int_b1: acc[o] = sum_i (w_oi = +1 ? x_i : -x_i); bit[o] = (acc < T[o]) XOR flip[o].
 *
 * Computed by bit planes, as the C kernel does (runtime/bnn_dense_int.h): the
 * input is split once into 8 bit planes p_b (bit b of every x_i, packed like an
 * activation). With c_b = 2^b (int8: c_7 = -128, two's complement) the C kernel
 * counts popcount(w_o XOR p_b); since
 *   popcount(w XOR p) = popcount w + popcount p - 2 popcount(w AND p)  and  sum_b c_b popcount p_b = sum_i x_i,
 * its sum equals
 *   acc_o = sum_i x_i - 2 sum_b c_b popcount(w_o AND p_b)
 * which the emulator evaluates over the plane words that are not zero (a zero
 * plane word adds nothing): the same planes and popcounts, fewer of them on
 * sparse inputs such as images. `integerAccumulatorSimple` is the definition
 * element by element; test/ops/emulateFast.test.ts checks one against the other
 * over random shapes.
 */
import { getBit, integerThresholdBit, popcount32, POPCOUNT16 as POP16, wordsFor } from '../../bitops.ts';
import type { DenseIntB1Layer } from './index.ts';

/** The accumulator of output channel o, element by element (the definition). */
export function integerAccumulatorSimple(x: ArrayLike<number>, weights: Uint32Array, inFeatures: number, o: number): number {
  const offset = o * wordsFor(inFeatures);
  let sum = 0;
  for (let i = 0; i < inFeatures; i++) sum += getBit(weights, i, offset) ? -x[i] : x[i];
  return sum;
}

/** The 8 bit planes of the input bytes (an int8 as its two's complement byte), words plane-major. */
function bitPlanes(x: ArrayLike<number>, inFeatures: number): Uint32Array {
  const words = wordsFor(inFeatures);
  const planes = new Uint32Array(8 * words);
  for (let k = 0; k < words; k++) {
    let p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0;
    const end = Math.min(32, inFeatures - 32 * k);
    for (let j = 0; j < end; j++) {
      const v = x[32 * k + j] & 0xff;
      p0 |= (v & 1) << j; p1 |= ((v >>> 1) & 1) << j; p2 |= ((v >>> 2) & 1) << j; p3 |= ((v >>> 3) & 1) << j;
      p4 |= ((v >>> 4) & 1) << j; p5 |= ((v >>> 5) & 1) << j; p6 |= ((v >>> 6) & 1) << j; p7 |= ((v >>> 7) & 1) << j;
    }
    planes[k] = p0; planes[words + k] = p1; planes[2 * words + k] = p2; planes[3 * words + k] = p3;
    planes[4 * words + k] = p4; planes[5 * words + k] = p5; planes[6 * words + k] = p6; planes[7 * words + k] = p7;
  }
  return planes;
}

/** Plane weights c_b: 2^b, with -128 for the sign bit of an int8. */
function planeWeight(b: number, signed: boolean): number {
  return b === 7 && signed ? -128 : 1 << b;
}

/** The non-zero plane words: where each is in a weight row, its bits, its plane weight c_b. */
interface PlaneWords {
  word: Int32Array;
  bits: Int32Array;
  weight: Int32Array;
  count: number;
}

function nonZeroPlaneWords(planes: Uint32Array, words: number, signed: boolean): PlaneWords {
  const nz: PlaneWords = { word: new Int32Array(8 * words), bits: new Int32Array(8 * words), weight: new Int32Array(8 * words), count: 0 };
  for (let b = 0; b < 8; b++) {
    for (let k = 0; k < words; k++) {
      const bits = planes[b * words + k];
      if (bits === 0) continue;
      nz.word[nz.count] = k;
      nz.bits[nz.count] = bits;
      nz.weight[nz.count] = planeWeight(b, signed);
      nz.count++;
    }
  }
  return nz;
}

/** sum_i x_i from the planes: sum_b c_b popcount p_b. */
function planeSum(nz: PlaneWords): number {
  let sum = 0;
  for (let j = 0; j < nz.count; j++) sum += nz.weight[j] * popcount32(nz.bits[j] >>> 0);
  return sum;
}

/** sum_b c_b popcount(w AND p_b) over the non-zero plane words, for the weight row starting at `row`. */
function andSum(weights: Uint32Array, row: number, nz: PlaneWords): number {
  const { word, bits, weight, count } = nz;
  let sum = 0;
  for (let j = 0; j < count; j++) {
    const v = weights[row + word[j]] & bits[j];
    sum += weight[j] * (POP16[v & 0xffff] + POP16[v >>> 16]);
  }
  return sum;
}

/**
 * acc_o = sum_i x_i - 2 sum_b c_b popcount(w_o AND p_b) for every output
 * channel; four rows per pass, as the C row engines do, so each plane word is
 * read once for four rows.
 */
function planeAccumulators(planes: Uint32Array, weights: Uint32Array, inFeatures: number, outFeatures: number, signed: boolean): Int32Array {
  const words = wordsFor(inFeatures);
  const nz = nonZeroPlaneWords(planes, words, signed);
  const total = planeSum(nz);
  const acc = new Int32Array(outFeatures);
  const { word, bits, weight, count } = nz;
  let o = 0;
  for (; o + 4 <= outFeatures; o += 4) {
    const r0 = o * words, r1 = r0 + words, r2 = r1 + words, r3 = r2 + words;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = 0; j < count; j++) {
      const k = word[j], b = bits[j], c = weight[j];
      const v0 = weights[r0 + k] & b, v1 = weights[r1 + k] & b, v2 = weights[r2 + k] & b, v3 = weights[r3 + k] & b;
      s0 += c * (POP16[v0 & 0xffff] + POP16[v0 >>> 16]);
      s1 += c * (POP16[v1 & 0xffff] + POP16[v1 >>> 16]);
      s2 += c * (POP16[v2 & 0xffff] + POP16[v2 >>> 16]);
      s3 += c * (POP16[v3 & 0xffff] + POP16[v3 >>> 16]);
    }
    acc[o] = total - 2 * s0; acc[o + 1] = total - 2 * s1; acc[o + 2] = total - 2 * s2; acc[o + 3] = total - 2 * s3;
  }
  for (; o < outFeatures; o++) acc[o] = total - 2 * andSum(weights, o * words, nz);
  return acc;
}

/** The accumulator of output channel o (what verify explains a difference with). */
export function integerAccumulator(x: ArrayLike<number>, weights: Uint32Array, inFeatures: number, o: number, signed = false): number {
  const words = wordsFor(inFeatures);
  return planeAccumulators(bitPlanes(x, inFeatures), weights.subarray(o * words, (o + 1) * words), inFeatures, 1, signed)[0];
}

export function integerAccumulators(x: ArrayLike<number>, weights: Uint32Array, inFeatures: number, outFeatures: number, signed: boolean): Int32Array {
  return planeAccumulators(bitPlanes(x, inFeatures), weights, inFeatures, outFeatures, signed);
}

export function denseIntB1(layer: DenseIntB1Layer, x: ArrayLike<number>): Uint32Array {
  const acc = integerAccumulators(x, layer.weights, layer.inFeatures, layer.outFeatures, layer.inputDType === 'int8');
  const out = new Uint32Array(wordsFor(layer.outFeatures));
  for (let o = 0; o < layer.outFeatures; o++) {
    out[o >>> 5] |= integerThresholdBit(acc[o], layer.threshold[o], layer.flip[o]) << (o & 31);
  }
  return out;
}
