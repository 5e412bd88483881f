/** Writers of the data formats bnnc reads (IDX, .npy, .npz, CSV), for the fuzzer's seeds and structured mutants. */
import { zipSync } from 'fflate';
import { concat } from './mutate/bytes.ts';

/** An array in NumPy's terms: element code (e.g. '|u1', '<f4', '<i8'), shape and values. */
export interface NdArray {
  descr: string;
  shape: number[];
  values: number[];
}

const WRITERS: Record<string, (view: DataView, at: number, v: number, little: boolean) => void> = {
  u1: (d, at, v) => d.setUint8(at, v),
  i1: (d, at, v) => d.setInt8(at, v),
  u2: (d, at, v, le) => d.setUint16(at, v, le),
  i2: (d, at, v, le) => d.setInt16(at, v, le),
  i4: (d, at, v, le) => d.setInt32(at, v, le),
  u4: (d, at, v, le) => d.setUint32(at, v, le),
  i8: (d, at, v, le) => d.setBigInt64(at, BigInt(Math.trunc(v)), le),
  f4: (d, at, v, le) => d.setFloat32(at, v, le),
  f8: (d, at, v, le) => d.setFloat64(at, v, le),
};

/** Element bytes of `values` as `code` (kind + size, e.g. 'f4'), little- or big-endian. */
export function encodeElements(code: string, values: number[], littleEndian = true): Uint8Array {
  const size = Number(code.slice(1));
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => WRITERS[code](view, i * size, v, littleEndian));
  return out;
}

/** .npy version 1.0: magic, header dict padded to 64 bytes, elements. `header` overrides the dict text. */
export function npyBytes(array: NdArray, header?: string, payload?: Uint8Array): Uint8Array {
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let dict = header ?? `{'descr': '${array.descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  dict += ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + '\n';
  const prefix = new Uint8Array(10);
  prefix.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(prefix.buffer).setUint16(8, dict.length, true);
  const body = payload ?? encodeElements(array.descr.slice(1), array.values, array.descr[0] !== '>');
  return concat(prefix, new TextEncoder().encode(dict), body);
}

export function npzBytes(members: Record<string, Uint8Array>): Uint8Array {
  return zipSync(members, { level: 1 });
}

const IDX_TYPES: Record<string, number> = { u1: 0x08, i1: 0x09, i2: 0x0b, i4: 0x0c, f4: 0x0d, f8: 0x0e };

/** IDX: two zero bytes, element type, rank, big-endian uint32 dims, big-endian elements. */
export function idxBytes(code: string, shape: number[], values: number[], dims: number[] = shape): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header.set([0, 0, IDX_TYPES[code], dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d >>> 0, false));
  return concat(header, encodeElements(code, values, false));
}

/** CSV with a header row: c0..c(n-1) and a "label" column last (when labels are given). */
export function csvText(rows: number[][], labels: number[] | null): string {
  const width = rows[0]?.length ?? 0;
  const header = [...Array.from({ length: width }, (_, i) => `c${i}`), ...(labels ? ['label'] : [])].join(',');
  const lines = rows.map((r, s) => [...r, ...(labels ? [labels[s]] : [])].join(','));
  return `${header}\n${lines.join('\n')}\n`;
}
