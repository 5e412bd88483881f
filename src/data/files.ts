/**
 * Reading data files from disk, transparently un-gzipping them. Compression is
 * detected from the gzip magic bytes rather than the name, so a `.gz` file
 * that was already unpacked (or an unpacked file that kept its `.gz` name, as
 * some browsers do with MNIST) still loads.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'fflate';
import { BnncError } from '../errors.ts';

const GZIP_MAGIC = [0x1f, 0x8b];

export function readDataFile(file: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new BnncError(`cannot read file: ${(error as Error).message}`, {
      file,
      hint: 'check that the file exists and is readable',
    });
  }
  return isGzip(bytes) ? gunzip(file, bytes) : bytes;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

function gunzip(file: string, bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new BnncError(`gzip data is damaged or truncated (${(error as Error).message})`, {
      file,
      expected: 'a complete gzip file',
      hint: 'the file was probably cut off while downloading or copying; fetch it again',
    });
  }
}

/** Strips a trailing `.gz` so format detection sees the real extension. */
export function withoutGzipSuffix(name: string): string {
  return name.toLowerCase().endsWith('.gz') ? name.slice(0, -3) : name;
}
