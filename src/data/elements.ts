/**
 * Numeric arrays shared by the data set formats. Each format reader turns its
 * file into `NumericArray`s (shape + a way to read elements as numbers), and
 * index.ts turns those into the public `Dataset`. Keeping the raw bytes and
 * decoding only what is asked for means `--limit 10` on a large file does not
 * convert every value.
 */
import { BnncError } from '../errors.ts';

/** Element codes in NumPy's spelling: kind letter + size in bytes. */
export type ElementCode = 'b1' | 'u1' | 'i1' | 'u2' | 'i2' | 'u4' | 'i4' | 'u8' | 'i8' | 'f4' | 'f8';

export interface ElementType {
  code: ElementCode;
  /** Bytes per element. */
  size: number;
  littleEndian: boolean;
}

/** Where a problem is, for BnncError: the file and, inside archives, the member. */
export interface ErrorPlace {
  file: string;
  where?: string;
}

export interface NumericArray {
  /** Full shape; the first axis counts samples. */
  shape: number[];
  /** Writes elements [start, start + count) (flat, C order) into target[0..count). */
  read(start: number, count: number, target: Float64Array): void;
}

export function elementType(code: ElementCode, littleEndian: boolean): ElementType {
  return { code, size: Number(code.slice(1)), littleEndian };
}

export function product(values: readonly number[]): number {
  return values.reduce((total, value) => total * value, 1);
}

/** An array whose elements are stored as raw bytes (IDX, .npy). */
export function binaryArray(shape: number[], type: ElementType, bytes: Uint8Array): NumericArray {
  return {
    shape,
    read: (start, count, target) => decodeElements(type, bytes, start, count, target),
  };
}

/** An array that is already numbers (CSV). */
export function float64Array(shape: number[], values: Float64Array): NumericArray {
  return {
    shape,
    read: (start, count, target) => target.set(values.subarray(start, start + count)),
  };
}

/**
 * Fails when the file holds fewer bytes than its header promises (a cut-off
 * download) or more (the header does not describe the data, so the values
 * would be misread).
 */
export function checkPayloadSize(place: ErrorPlace, what: string, expectedBytes: number, actualBytes: number): void {
  if (actualBytes < expectedBytes) {
    throw new BnncError(`data is truncated: the header describes ${expectedBytes} bytes of ${what} but only ${actualBytes} are present`, {
      ...place,
      expected: `${expectedBytes} bytes of data after the header`,
      hint: 'the file was probably cut off while downloading or copying; fetch it again',
    });
  }
  if (actualBytes > expectedBytes) {
    throw new BnncError(`data has ${actualBytes - expectedBytes} bytes more than its header describes (${expectedBytes} bytes of ${what})`, {
      ...place,
      expected: `exactly ${expectedBytes} bytes of data after the header`,
      hint: 'the header does not match the data; re-export the file',
    });
  }
}

/**
 * Decodes `count` elements starting at element `start`. One loop per type so
 * the hot loop has no per-element dispatch (10,000 MNIST images are 7.8M
 * elements).
 */
function decodeElements(type: ElementType, bytes: Uint8Array, start: number, count: number, target: Float64Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = type.littleEndian;
  const first = start * type.size;
  switch (type.code) {
    case 'b1':
    case 'u1':
      target.set(bytes.subarray(start, start + count));
      return;
    case 'i1':
      for (let i = 0; i < count; i++) target[i] = view.getInt8(first + i);
      return;
    case 'u2':
      for (let i = 0; i < count; i++) target[i] = view.getUint16(first + 2 * i, le);
      return;
    case 'i2':
      for (let i = 0; i < count; i++) target[i] = view.getInt16(first + 2 * i, le);
      return;
    case 'u4':
      for (let i = 0; i < count; i++) target[i] = view.getUint32(first + 4 * i, le);
      return;
    case 'i4':
      for (let i = 0; i < count; i++) target[i] = view.getInt32(first + 4 * i, le);
      return;
    case 'f4':
      for (let i = 0; i < count; i++) target[i] = view.getFloat32(first + 4 * i, le);
      return;
    case 'f8':
      for (let i = 0; i < count; i++) target[i] = view.getFloat64(first + 8 * i, le);
      return;
    case 'u8':
    case 'i8':
      decode64BitIntegers(view, type.code === 'i8', le, first, count, target);
      return;
  }
}

/**
 * 64-bit integers are combined from two 32-bit halves instead of going through
 * BigInt, which is much slower. Values beyond 2^53 lose precision, which no
 * realistic pixel value or class label reaches.
 */
function decode64BitIntegers(view: DataView, signed: boolean, le: boolean, first: number, count: number, target: Float64Array): void {
  const highWordOffset = le ? 4 : 0;
  const lowWordOffset = le ? 0 : 4;
  for (let i = 0; i < count; i++) {
    const at = first + 8 * i;
    const high = signed ? view.getInt32(at + highWordOffset, le) : view.getUint32(at + highWordOffset, le);
    target[i] = high * 0x1_0000_0000 + view.getUint32(at + lowWordOffset, le);
  }
}

/** What a format reader hands to index.ts: inputs plus optional labels, with the files they came from (for messages). */
export interface RawData {
  inputs: NumericArray;
  inputsFile: string;
  labels: NumericArray | null;
  labelsFile: string | null;
  /** Where sample i is in the file (CSV: its line), for messages; default "sample i". */
  sampleLocation?: (sample: number) => string;
}
