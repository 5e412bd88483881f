/**
 * Which inputs a generated self-test embeds. `bnnc build`, `bnnc flash` and
 * `bnnc monitor` all take them from here, so the digest a board prints and the
 * digest `bnnc monitor` expects come from the same vectors: the first
 * SELFTEST_VECTORS samples of --data, or bnnc's deterministic pseudo-random
 * inputs when no data set is given.
 */
import { writeFileSync } from 'node:fs';
import type { LabelColumn } from '../data/csv.ts';
import { loadDataset } from '../data/index.ts';
import { BnncError } from '../errors.ts';
import type { LoweredModel } from '../ir/types.ts';
import { deviceInputs, SELFTEST_VECTORS, selftestVectors } from '../verify/inputs.ts';
import { defaultVectors } from '../verify/vectors.ts';

export interface VectorSource {
  /** Data set path (--data); absent: deterministic vectors. */
  data?: string;
  scale?: number;
  offset?: number;
  /** CSV only: the labels' column, which is not an input. */
  labelColumn?: LabelColumn;
}

export function embeddedVectors(model: LoweredModel, source: VectorSource): number[][] {
  if (!source.data) return defaultVectors(model);
  const data = loadDataset(source.data, { limit: SELFTEST_VECTORS, scale: source.scale, offset: source.offset, labelColumn: source.labelColumn });
  if (data.features !== model.input.features) {
    throw new BnncError(`samples have ${data.features} values, the model takes ${model.input.features}`, {
      file: source.data, expected: `${model.input.features} values per sample (input shape [${model.input.shape.join(', ')}])`,
    });
  }
  return selftestVectors(deviceInputs(model, data));
}

/** Where the vectors came from, for messages. */
export function describeVectors(source: VectorSource, count: number): string {
  return source.data ? `the first ${count} samples of ${source.data}` : `${count} deterministic pseudo-random inputs`;
}

/**
 * Writes vectors as a float64 .npy file (shape [count, features]) that
 * loadDataset reads back exactly: every uint8/int8 value and every float32 is
 * a float64 without rounding. Lets verifyOnHost check exactly the vectors a
 * self-test embeds when the user gave no data set.
 */
export function writeVectorsNpy(path: string, vectors: number[][]): void {
  const features = vectors[0]?.length ?? 0;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${vectors.length}, ${features}), }`;
  // Magic (6) + version (2) + header length (2) + header + '\n' must be a multiple of 64.
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(vectors.length * features * 8);
  vectors.forEach((row, s) => row.forEach((v, i) => body.writeDoubleLE(v, (s * features + i) * 8)));
  writeFileSync(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'), body]));
}
