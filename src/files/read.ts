/**
 * Reading input files (models, sidecars, data sets) with limits: only regular
 * files (a FIFO would block forever, /dev/zero never ends, a folder is not a
 * file), at most a configured number of bytes, and gzip content decompressed
 * while streaming, stopped as soon as it passes the same limit. Peak memory
 * stays a small multiple of the limit whatever the file says about itself.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { BnncError } from '../errors.ts';

export type InputKind = 'model' | 'data';

interface Limit {
  env: string;
  defaultMiB: number;
  description: string;
}

/**
 * Defaults keep bnnc under 1 GB of memory on any file: a data file becomes
 * float64 values (8 bytes per uint8 pixel, 4 per CSV byte at worst); an ONNX
 * tensor in float_data is decoded to a JS number array before its
 * Float32Array (about 7 bytes of memory per byte of file).
 */
export const INPUT_LIMITS: Record<InputKind, Limit> = {
  model: { env: 'BNNC_MAX_MODEL_MB', defaultMiB: 64, description: 'model files (.onnx, .bnn.json and its .bnn.bin, .h5, .keras and each member of a .keras decompressed)' },
  data: { env: 'BNNC_MAX_DATA_MB', defaultMiB: 32, description: 'data files, and each of them decompressed (.gz, .npz members)' },
};

const MiB = 1024 * 1024;

/** The limit in bytes for `kind`: the environment variable in MiB, or the default. */
export function inputLimit(kind: InputKind): number {
  const { env, defaultMiB } = INPUT_LIMITS[kind];
  const text = process.env[env];
  if (text === undefined || text === '') return defaultMiB * MiB;
  const mib = Number(text);
  if (!(Number.isFinite(mib) && mib > 0)) {
    throw new BnncError(`${env}=${text} is not a size`, { where: env, expected: `a positive number of MiB (default ${defaultMiB})` });
  }
  return Math.floor(mib * MiB);
}

export function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${+(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** The error for a file or content above the limit, saying how to raise it. */
export function tooLarge(file: string, kind: InputKind, what: string, where?: string): BnncError {
  const { env } = INPUT_LIMITS[kind];
  const limit = inputLimit(kind);
  return new BnncError(`${what} more than the limit of ${formatBytes(limit)} for ${kind} files`, {
    file,
    where,
    hint: `if the file is what you meant, raise the limit, e.g. ${env}=${Math.ceil((2 * limit) / MiB)}`,
  });
}

function notRegular(stats: Stats): string | null {
  if (stats.isFile()) return null;
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function openRegular(file: string, expected: string): { fd: number; stats: Stats } {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting forever.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot open: ${(e as Error).message}`;
    throw new BnncError(message, { file, expected, hint: code === 'ENOENT' ? 'check the path' : undefined });
  }
  const stats = fstatSync(fd);
  const kind = notRegular(stats);
  if (kind) {
    closeSync(fd);
    throw new BnncError(`is ${kind}; bnnc reads regular files only`, { file, expected });
  }
  return { fd, stats };
}

/** Reads a whole regular file of at most the `kind` limit. `expected` describes the file for messages. */
export function readInputFile(file: string, kind: InputKind, expected: string): Buffer {
  const limit = inputLimit(kind);
  const { fd, stats } = openRegular(file, expected);
  try {
    if (stats.size > limit) throw tooLarge(file, kind, `the file has ${formatBytes(stats.size)},`);
    // Files whose size stat does not tell (procfs) are read in chunks, up to one byte past the limit.
    const buffer = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(stats.size + 1, 64 * 1024)));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > limit) throw tooLarge(file, kind, 'the file has');
        return readRest(file, kind, fd, buffer, limit);
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) return buffer.subarray(0, length);
      length += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** Continues a read whose first buffer filled up (the file is larger than its size said). */
function readRest(file: string, kind: InputKind, fd: number, first: Buffer, limit: number): Buffer {
  const chunks = [first];
  let total = first.length;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(4 * MiB, limit + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > limit) throw tooLarge(file, kind, 'the file has');
  }
}

/** Decompresses gzip content, stopping as soon as the output passes the `kind` limit. */
export function gunzipLimited(file: string, bytes: Uint8Array, kind: InputKind): Buffer {
  const limit = inputLimit(kind);
  try {
    return gunzipSync(bytes, { maxOutputLength: limit });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(file, kind, 'the gzip content decompresses to');
    throw new BnncError(`gzip data is damaged or truncated (${(e as Error).message})`, {
      file,
      expected: 'a complete gzip file',
      hint: 'the file was probably cut off while downloading or copying; fetch it again',
    });
  }
}
