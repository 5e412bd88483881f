/**
 * Reading data files from disk, transparently un-gzipping them. Compression is
 * detected from the gzip magic bytes rather than the name, so a `.gz` file
 * that was already unpacked (or an unpacked file that kept its `.gz` name, as
 * some browsers do with MNIST) still loads. Both the file and its decompressed
 * content are capped (src/files/read.ts, BNNC_MAX_DATA_MB).
 */
import { gunzipLimited, readInputFile } from '../files/read.ts';

const GZIP_MAGIC = [0x1f, 0x8b];

export function readDataFile(file: string): Uint8Array {
  const bytes = readInputFile(file, 'data', 'a data file (IDX, .npy, .npz or .csv, optionally gzipped)');
  return isGzip(bytes) ? gunzipLimited(file, bytes, 'data') : bytes;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** Strips a trailing `.gz` so format detection sees the real extension. */
export function withoutGzipSuffix(name: string): string {
  return name.toLowerCase().endsWith('.gz') ? name.slice(0, -3) : name;
}
