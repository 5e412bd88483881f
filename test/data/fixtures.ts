/**
 * Hand-written encoders for the data set formats, so the loader tests check
 * the byte layout against the specifications instead of against themselves.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { BnncError } from '../../src/errors.ts';

export type Code = 'b1' | 'u1' | 'i1' | 'u2' | 'i2' | 'u4' | 'i4' | 'u8' | 'i8' | 'f4' | 'f8';

/** A temp folder per test file, removed when the file's tests are done. */
export function useTempDir(): (name: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'bnnc-data-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name) => join(dir, name);
}

export function writeFile(path: string, bytes: Uint8Array | string): string {
  writeFileSync(path, bytes);
  return path;
}

/** Encodes numbers as `code` elements with the given byte order. */
export function encodeValues(code: Code, littleEndian: boolean, values: readonly number[]): Uint8Array {
  const size = Number(code.slice(1));
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => {
    const at = i * size;
    switch (code) {
      case 'b1':
      case 'u1': view.setUint8(at, value); break;
      case 'i1': view.setInt8(at, value); break;
      case 'u2': view.setUint16(at, value, littleEndian); break;
      case 'i2': view.setInt16(at, value, littleEndian); break;
      case 'u4': view.setUint32(at, value, littleEndian); break;
      case 'i4': view.setInt32(at, value, littleEndian); break;
      case 'u8': view.setBigUint64(at, BigInt(value), littleEndian); break;
      case 'i8': view.setBigInt64(at, BigInt(value), littleEndian); break;
      case 'f4': view.setFloat32(at, value, littleEndian); break;
      case 'f8': view.setFloat64(at, value, littleEndian); break;
    }
  });
  return bytes;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const IDX_TYPE_BYTES: Partial<Record<Code, number>> = { u1: 0x08, i1: 0x09, i2: 0x0b, i4: 0x0c, f4: 0x0d, f8: 0x0e };

/** IDX: 0, 0, type, rank, big-endian uint32 dims, big-endian elements. */
export function idxBytes(code: Code, shape: number[], values: readonly number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  header[2] = IDX_TYPE_BYTES[code]!;
  header[3] = shape.length;
  const view = new DataView(header.buffer);
  shape.forEach((dim, i) => view.setUint32(4 + 4 * i, dim, false));
  return concat(header, encodeValues(code, false, values));
}

export interface NpyOptions {
  descr: string;
  shape: number[];
  values?: readonly number[];
  /** Raw payload instead of encoding `values`. */
  payload?: Uint8Array;
  version?: 1 | 2 | 3;
  fortranOrder?: boolean;
  /** Replace the whole header dict text. */
  headerText?: string;
}

/** .npy: magic, version, header length, dict padded to a multiple of 64 bytes, elements. */
export function npyBytes(options: NpyOptions): Uint8Array {
  const version = options.version ?? 1;
  const shapeText = options.shape.length === 1 ? `(${options.shape[0]},)` : `(${options.shape.join(', ')})`;
  const dict =
    options.headerText ??
    `{'descr': '${options.descr}', 'fortran_order': ${options.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefixLength = version === 1 ? 10 : 12;
  const unpadded = prefixLength + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const prefix = new Uint8Array(prefixLength);
  prefix.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(prefix.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  const code = options.descr.slice(1) as Code;
  const payload = options.payload ?? encodeValues(code, options.descr[0] !== '>', options.values ?? []);
  return concat(prefix, new TextEncoder().encode(header), payload);
}

/** Runs `action`, expecting a BnncError whose message contains every fragment. */
export function expectBnncError(action: () => unknown, ...fragments: string[]): BnncError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a BnncError to be thrown').toBeInstanceOf(BnncError);
  const error = caught as BnncError;
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}
