/**
 * Gzip bombs without ever holding the expanded data: one chunk is compressed
 * once (ending in a sync flush, so it is byte-aligned and independent) and
 * repeated; the gzip trailer's CRC is computed chunk by chunk. A 1 MB chunk
 * repeated 1,200 times is about 1.2 MB on disk and 1.2 GB expanded.
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { concat } from './mutate/bytes.ts';

export function gzipBomb(prefix: Uint8Array, chunk: Uint8Array, repeats: number): Uint8Array {
  const head = deflateRawSync(prefix, { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const body = deflateRawSync(chunk, { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const end = deflateRawSync(new Uint8Array(0));
  let crc = crc32(prefix);
  for (let i = 0; i < repeats; i++) crc = crc32(chunk, crc);
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc >>> 0, true);
  view.setUint32(4, (prefix.length + chunk.length * repeats) % 2 ** 32, true);
  const header = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
  return concat(header, head, ...Array.from({ length: repeats }, () => body), end, trailer);
}
