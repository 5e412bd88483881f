/**
 * The numeric conventions of bnnc, written once. Importers, passes, the
 * emulator and the C kernels all follow this file (see docs/architecture.md).
 *
 * - A binary value is x in {-1,+1}. Bit 1 means -1 (the sign bit), as in Larq
 *   Compute Engine. FINN/BNN-PYNQ use bit 1 = +1: importers convert.
 * - sign(0) = +1.
 * - Packing is along the innermost axis: element i goes to word i>>5, bit i&31
 *   (LSB first), in uint32 words. Tail bits are 0 in weights and activations,
 *   so for true length N:  dot = N - 2 * popcount(a XOR w).
 * - A binary layer's output channel o is
 *       bit = (pop > threshold[o]) XOR flip[o]        (pop = popcount(a XOR w_o))
 *   and an integer-input layer's output channel o is
 *       bit = (acc < threshold[o]) XOR flip[o]        (acc = sum_i w_oi * x_i)
 *   i.e. in both cases bit 1 (= -1) when the dot product is "low", unless
 *   flipped. A constant channel uses a threshold outside the reachable range.
 */

export const WORD_BITS = 32;

/** Number of uint32 words that hold `bits` packed bits. */
export function wordsFor(bits: number): number {
  return Math.ceil(bits / WORD_BITS);
}

/** The bit that encodes a value: 1 for -1 (negative), 0 for +1 (x >= 0, so sign(0) = +1). */
export function signBit(value: number): 0 | 1 {
  return value < 0 ? 1 : 0;
}

/**
 * Words of a packed tensor of `features` values whose pixels hold `group`
 * channels each: every pixel starts on a word boundary (NHWC packing; a flat
 * vector is one pixel). Padding bits are 0.
 */
export function packedWords(features: number, group: number): number {
  return (features / group) * wordsFor(group);
}

/** Word and bit of feature f (pixel f / group, channel f % group) in grouped packing. */
export function groupedBitPosition(f: number, group: number): { word: number; bit: number } {
  const pixel = Math.floor(f / group);
  const c = f % group;
  return { word: pixel * wordsFor(group) + (c >>> 5), bit: c & 31 };
}

/** Packs bits with grouped (per-pixel) packing. */
export function packGrouped(bits: ArrayLike<number>, group: number): Uint32Array {
  const out = new Uint32Array(packedWords(bits.length, group));
  for (let f = 0; f < bits.length; f++) {
    if (bits[f]) {
      const { word, bit } = groupedBitPosition(f, group);
      out[word] |= 1 << bit;
    }
  }
  return out;
}

export function getGroupedBit(words: Uint32Array, f: number, group: number): 0 | 1 {
  const { word, bit } = groupedBitPosition(f, group);
  return ((words[word] >>> bit) & 1) as 0 | 1;
}

/** Packs a row of bits (0/1) LSB first into uint32 words; tail bits stay 0. */
export function packBits(bits: ArrayLike<number>, out?: Uint32Array, offset = 0): Uint32Array {
  const words = out ?? new Uint32Array(wordsFor(bits.length));
  for (let w = 0; w < wordsFor(bits.length); w++) words[offset + w] = 0;
  for (let i = 0; i < bits.length; i++) {
    if (bits[i]) words[offset + (i >>> 5)] |= 1 << (i & 31);
  }
  return words;
}

/** Packs values in {-1,+1} (or any sign) by signBit. */
export function packSigns(values: ArrayLike<number>): Uint32Array {
  const bits = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = signBit(values[i]);
  return packBits(bits);
}

/** Reads bit i of a packed vector starting at word `offset`. */
export function getBit(words: Uint32Array, i: number, offset = 0): 0 | 1 {
  return ((words[offset + (i >>> 5)] >>> (i & 31)) & 1) as 0 | 1;
}

/** Population count of a 32-bit word (SWAR, as in the portable C kernel). */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** popcount of every 16-bit value, for the emulator's inner loops (two table reads per word: the same count as popcount32). */
export const POPCOUNT16 = Uint8Array.from({ length: 65536 }, (_, v) => popcount32(v));

/** popcount(a XOR w) over `nWords` words: a from aOff, w from wOff. */
export function xorPopcount(a: Uint32Array, aOff: number, w: Uint32Array, wOff: number, nWords: number): number {
  let pop = 0;
  for (let i = 0; i < nWords; i++) pop += popcount32((a[aOff + i] ^ w[wOff + i]) >>> 0);
  return pop;
}

/** dot product of two {-1,+1} vectors of true length n from their XOR popcount. */
export function dotFromPopcount(n: number, pop: number): number {
  return n - 2 * pop;
}

/** Output bit of a binary layer channel: (pop > threshold) XOR flip. */
export function binaryThresholdBit(pop: number, threshold: number, flip: number): 0 | 1 {
  return ((pop > threshold ? 1 : 0) ^ (flip & 1)) as 0 | 1;
}

/** Output bit of an integer-input layer channel: (acc < threshold) XOR flip. */
export function integerThresholdBit(acc: number, threshold: number, flip: number): 0 | 1 {
  return ((acc < threshold ? 1 : 0) ^ (flip & 1)) as 0 | 1;
}

/** Largest and smallest int32, the range every accumulator and score must stay in. */
export const INT32_MAX = 2147483647;
export const INT32_MIN = -2147483648;

/**
 * FNV-1a over 32-bit words, the digest the generated self-test prints. The C
 * side (templates/c/model.c.hbs) folds every output word the same way, so a
 * digest from a board can be compared with the emulator's.
 */
export const DIGEST_INIT = 0x811c9dc5;
export function digestWord(digest: number, word: number): number {
  let h = digest >>> 0;
  for (let b = 0; b < 4; b++) {
    h ^= (word >>> (8 * b)) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Order-preserving key of a float32: unsigned comparison of keys equals float
 * comparison for every non-NaN value (positive floats get the sign bit set,
 * negative ones are inverted). Float thresholds are compared this way in C so
 * that cores without an FPU need no soft-float call. A zero threshold is keyed
 * as -0, so that x < 0 holds exactly for the negative non-zero x.
 */
const keyView = new DataView(new ArrayBuffer(4));
export function float32OrderKey(value: number): number {
  keyView.setFloat32(0, value);
  const u = keyView.getUint32(0);
  return (u & 0x80000000 ? ~u : u | 0x80000000) >>> 0;
}

export function float32ThresholdKey(threshold: number): number {
  return threshold === 0 ? float32OrderKey(-0) : float32OrderKey(threshold);
}
