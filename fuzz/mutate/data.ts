/**
 * Data sets as the fuzzer holds them (arrays plus a format), rendered to files,
 * and their structured mutants: NaN/Inf values, labels outside the classes,
 * hostile header shapes and element types, short payloads, broken CSV cells,
 * missing .npz members, truncated gzip.
 */
import { gzipSync } from 'fflate';
import type { FuzzFile } from '../cases.ts';
import { csvText, idxBytes, npyBytes, npzBytes, type NdArray } from '../formats.ts';
import { HOSTILE_SIZES, type Rng } from '../random.ts';

export type DataFormat = 'npy' | 'npz' | 'idx-file' | 'idx-folder' | 'csv';

export interface DataSeed {
  /** Base name of the file (or folder), e.g. "wearable" -> wearable.npz. */
  base: string;
  format: DataFormat;
  gzip: boolean;
  inputs: NdArray;
  labels: NdArray | null;
  /** The model the data is verified against. */
  model: { path: string; classes: number; features: number };
}

/** Raw overrides a structured mutant can apply while rendering: header text, IDX dims, payload cuts. */
interface RenderTweaks {
  npyHeader?: string;
  idxDims?: number[];
  cutPayload?: number;
  dropNpzMember?: string;
  csvCell?: string;
}

export interface RenderedData {
  /** The path given to --data: the file, or the folder for IDX folders. */
  file: FuzzFile;
  companions: FuzzFile[];
  folder: string | null;
}

const IDX_CODES: Record<string, string> = { '|u1': 'u1', '|i1': 'i1', '<f4': 'f4', '<f8': 'f8', '<i4': 'i4', '<i2': 'i2' };

function gz(seed: DataSeed, name: string, bytes: Uint8Array): FuzzFile {
  return seed.gzip ? { name: `${name}.gz`, bytes: gzipSync(bytes, { level: 1 }) } : { name, bytes };
}

function cut(bytes: Uint8Array, n: number | undefined): Uint8Array {
  return n === undefined ? bytes : bytes.slice(0, Math.max(0, bytes.length - n));
}

function npyOf(array: NdArray, tweaks: RenderTweaks): Uint8Array {
  return cut(npyBytes(array, tweaks.npyHeader), tweaks.cutPayload);
}

function idxOf(array: NdArray, dims?: number[], cutPayload?: number): Uint8Array {
  const code = IDX_CODES[array.descr] ?? 'f8';
  return cut(idxBytes(code, array.shape, array.values, dims ?? array.shape), cutPayload);
}

function csvOf(seed: DataSeed, tweaks: RenderTweaks): Uint8Array {
  const [n, ...rest] = seed.inputs.shape;
  const width = rest.reduce((a, b) => a * b, 1);
  const rows = Array.from({ length: n }, (_, s) => seed.inputs.values.slice(s * width, (s + 1) * width).map(String));
  if (tweaks.csvCell !== undefined && rows.length > 0) rows[rows.length - 1][Math.floor(width / 2)] = tweaks.csvCell;
  return new TextEncoder().encode(csvText(rows as unknown as number[][], seed.labels ? seed.labels.values : null));
}

export function renderData(seed: DataSeed, tweaks: RenderTweaks = {}): RenderedData {
  switch (seed.format) {
    case 'npy':
      return { file: gz(seed, `${seed.base}.npy`, npyOf(seed.inputs, tweaks)), companions: [], folder: null };
    case 'npz': {
      const members: Record<string, Uint8Array> = { 'inputs.npy': npyOf(seed.inputs, tweaks) };
      if (seed.labels) members['labels.npy'] = npyBytes(seed.labels);
      if (tweaks.dropNpzMember) delete members[tweaks.dropNpzMember];
      return { file: gz(seed, `${seed.base}.npz`, npzBytes(members)), companions: [], folder: null };
    }
    case 'idx-file':
      return { file: gz(seed, `${seed.base}-images-idx3-ubyte`, idxOf(seed.inputs, tweaks.idxDims, tweaks.cutPayload)), companions: [], folder: null };
    case 'idx-folder': {
      const images = gz(seed, 'images-idx3-ubyte', idxOf(seed.inputs, tweaks.idxDims, tweaks.cutPayload));
      const labels = seed.labels ? [gz(seed, 'labels-idx1-ubyte', idxOf(seed.labels))] : [];
      return { file: images, companions: labels, folder: seed.base };
    }
    case 'csv':
      return { file: gz(seed, `${seed.base}.csv`, csvOf(seed, tweaks)), companions: [], folder: null };
  }
}

function clone(seed: DataSeed): DataSeed {
  const copy = (a: NdArray): NdArray => ({ descr: a.descr, shape: [...a.shape], values: [...a.values] });
  return { ...seed, inputs: copy(seed.inputs), labels: seed.labels && copy(seed.labels) };
}

interface DataMutant {
  mutation: string;
  invalid: boolean;
  seed: DataSeed;
  tweaks?: RenderTweaks;
}

type Mutation = (rng: Rng, seed: DataSeed) => DataMutant | null;

const MUTATIONS: Record<string, Mutation> = {
  /** NaN or Inf in the inputs (as float32 data; CSV spells it). */
  nonFiniteInput(rng, seed) {
    const s = clone(seed);
    const value = rng.pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    const at = rng.int(0, s.inputs.values.length - 1);
    if (s.format === 'csv') return { mutation: `cell = ${value}`, invalid: true, seed: s, tweaks: { csvCell: String(value) } };
    s.inputs.descr = '<f4';
    s.inputs.values[at] = value;
    return { mutation: `input value ${at} = ${value} (float32 data)`, invalid: true, seed: s };
  },

  /** A label at or beyond the class count, negative, or fractional. */
  labelOutOfRange(rng, seed) {
    if (!seed.labels) return null;
    const s = clone(seed);
    const classes = s.model.classes;
    const byteLabels = s.labels!.descr === '|u1';
    const value = rng.pick(byteLabels ? [classes, classes + 1, 255] : [classes, classes + 7, -1, 1.5, 2 ** 31]);
    if (!Number.isInteger(value)) s.labels!.descr = '<f8';
    s.labels!.values[rng.int(0, s.labels!.values.length - 1)] = value;
    return { mutation: `a label = ${value} (model has ${classes} classes)`, invalid: true, seed: s };
  },

  /** The header states a hostile shape for the same payload. */
  headerShape(rng, seed) {
    const shape = [...seed.inputs.shape];
    const at = rng.int(0, shape.length - 1);
    shape[at] = rng.pick(HOSTILE_SIZES.filter((v) => v !== shape[at] && v >= 0));
    if (seed.format === 'idx-file' || seed.format === 'idx-folder') {
      return { mutation: `IDX dims [${shape}]`, invalid: true, seed, tweaks: { idxDims: shape } };
    }
    if (seed.format === 'csv') return null;
    const text = `{'descr': '${seed.inputs.descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
    return { mutation: `npy shape (${shape})`, invalid: true, seed, tweaks: { npyHeader: text } };
  },

  /** The header names another element type (other size, or one bnnc does not read). */
  headerType(rng, seed) {
    if (seed.format !== 'npy' && seed.format !== 'npz') return null;
    // Each of these is unreadable or of another element size than the 1-byte seeds ('|b1' would be a valid reading of the same bytes).
    const descr = rng.pick(['<f2', '|O', '<c8', '|S3', '<f8', '<i8', '<u8', '<m8'].filter((d) => d !== seed.inputs.descr));
    const shape = seed.inputs.shape.length === 1 ? `(${seed.inputs.shape[0]},)` : `(${seed.inputs.shape.join(', ')})`;
    const text = `{'descr': '${descr}', 'fortran_order': ${rng.chance(0.2) ? 'True' : 'False'}, 'shape': ${shape}, }`;
    return { mutation: `npy descr ${descr}`, invalid: true, seed, tweaks: { npyHeader: text } };
  },

  /** The payload is shorter than the header says. */
  shortPayload(rng, seed) {
    if (seed.format === 'csv') return null;
    const n = rng.int(1, 64);
    return { mutation: `payload ${n} byte(s) short`, invalid: true, seed, tweaks: { cutPayload: n } };
  },

  /** One label fewer than samples. */
  labelCount(rng, seed) {
    if (!seed.labels || seed.format === 'csv') return null;
    const s = clone(seed);
    s.labels!.values.pop();
    s.labels!.shape = [s.labels!.values.length];
    return { mutation: 'one label fewer than samples', invalid: true, seed: s };
  },

  /** Zero samples. */
  empty(_rng, seed) {
    const s = clone(seed);
    s.inputs.shape[0] = 0;
    s.inputs.values = [];
    if (s.labels) {
      s.labels.shape = [0];
      s.labels.values = [];
    }
    return { mutation: 'zero samples', invalid: true, seed: s };
  },

  /** One input feature fewer per sample than the model takes. */
  featureCount(_rng, seed) {
    const s = clone(seed);
    const [n, ...rest] = s.inputs.shape;
    const width = rest.reduce((a, b) => a * b, 1);
    s.inputs.values = s.inputs.values.filter((_, i) => i % width !== width - 1);
    s.inputs.shape = [n, width - 1];
    return { mutation: `${width - 1} features per sample (the model takes ${width})`, invalid: true, seed: s };
  },

  /** A CSV cell that is not a finite number, or a row with an extra cell. */
  csvCell(rng, seed) {
    if (seed.format !== 'csv') return null;
    const cell = rng.pick(['', 'abc', '1e999', '0x10', '1,5', '"', '-']);
    return { mutation: `CSV cell ${JSON.stringify(cell)}`, invalid: true, seed, tweaks: { csvCell: cell } };
  },

  /** The .npz lacks its inputs (or labels: then it is still valid, without accuracy). */
  npzMember(rng, seed) {
    if (seed.format !== 'npz') return null;
    const member = rng.pick(['inputs.npy', 'labels.npy']);
    return { mutation: `.npz without ${member}`, invalid: member === 'inputs.npy', seed, tweaks: { dropNpzMember: member } };
  },
};

/** One structured data mutant, rendered; null when the drawn mutation does not apply to this seed. */
export function mutateData(rng: Rng, seed: DataSeed): { mutation: string; invalid: boolean; rendered: RenderedData } | null {
  const name = rng.pick(Object.keys(MUTATIONS));
  const m = MUTATIONS[name](rng, seed);
  if (!m) return null;
  const rendered = renderData(m.seed, m.tweaks);
  if (m.seed.gzip && rng.chance(0.15)) {
    rendered.file = { ...rendered.file, bytes: rendered.file.bytes.slice(0, rng.int(2, Math.max(2, rendered.file.bytes.length - 8))) };
    return { mutation: `data ${name}: ${m.mutation}, gzip truncated`, invalid: true, rendered };
  }
  return { mutation: `data ${name}: ${m.mutation}`, invalid: m.invalid, rendered };
}
