/**
 * Reading the HDF5 files Keras writes (`.h5` models, `model.weights.h5` inside
 * `.keras`) with jsfive, a pure-JavaScript HDF5 reader. jsfive throws plain
 * errors (or RangeErrors) on damaged input; every call goes through `guarded`
 * so a user only ever sees a BnncError naming the file and the HDF5 path.
 * Sizes are checked before data is read: a dataset must hold exactly the
 * number of float32/float64 values its layer needs.
 */
import * as hdf5 from 'jsfive';
import { BnncError } from '../../errors.ts';

/** Keras writes float32 weights; float64 is accepted and rounded once. */
const FLOAT_DTYPES = new Set(['<f4', '>f4', '<f8', '>f8']);

export interface H5Source {
  /** The file the user named, for messages (the .keras archive for its member). */
  file: string;
  /** Extra place prefix, e.g. "model.weights.h5" inside a .keras archive. */
  member?: string;
}

export class H5File {
  private readonly root: hdf5.File;

  constructor(readonly source: H5Source, bytes: Uint8Array) {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    this.root = this.guarded('', () => new hdf5.File(buffer, source.file), 'a file written by h5py / Keras');
  }

  /** Runs a jsfive call, turning any failure into a BnncError at `path`. */
  guarded<T>(path: string, read: () => T, expected = 'a readable HDF5 object'): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof BnncError) throw error;
      throw new BnncError(`cannot read HDF5 data (${(error as Error).message ?? String(error)})`, {
        file: this.source.file, where: this.where(path), expected,
        hint: 'the file is damaged or truncated: save the model again with model.save(...)',
      });
    }
  }

  where(path: string): string {
    const place = path === '' ? 'HDF5 root' : `HDF5 "${path}"`;
    return this.source.member ? `${this.source.member}: ${place}` : place;
  }

  /** The group at path, or null when there is none (a dataset there is an error). */
  group(path: string): hdf5.Group | null {
    const node = path === '' ? this.root : this.guarded(path, () => this.root.get(path));
    if (node === null || node === undefined) return null;
    if (node instanceof hdf5.Dataset) {
      throw new BnncError('is a dataset', { file: this.source.file, where: this.where(path), expected: 'an HDF5 group' });
    }
    return node;
  }

  keys(path: string): string[] {
    const g = this.group(path);
    return g ? this.guarded(path, () => [...g.keys]) : [];
  }

  /**
   * A string attribute (fixed-length strings come NUL-padded, variable-length
   * ones do not; both decode to string). Large attributes Keras splits into
   * `name0`, `name1`, ... (save_attributes_to_hdf5_group) are joined.
   */
  stringListAttribute(path: string, name: string): string[] | null {
    const attrs = this.attrs(path);
    if (name in attrs) return toStringList(attrs[name]);
    if (!(`${name}0` in attrs)) return null;
    const out: string[] = [];
    for (let chunk = 0; `${name}${chunk}` in attrs; chunk++) out.push(...(toStringList(attrs[`${name}${chunk}`]) ?? []));
    return out;
  }

  stringAttribute(path: string, name: string): string | null {
    const list = this.stringListAttribute(path, name);
    return list === null ? null : list.join('');
  }

  private attrs(path: string): Record<string, unknown> {
    const g = this.group(path);
    if (!g) return {};
    return this.guarded(path, () => g.attrs, 'readable HDF5 attributes');
  }

  /** A float dataset of exactly `shape` (checked before its data is read), as float32. */
  floatDataset(path: string, shape: readonly number[], what: string): Float32Array {
    const node = this.guarded(path, () => this.root.get(path));
    if (!(node instanceof hdf5.Dataset)) {
      throw new BnncError(`missing weight: ${what}`, {
        file: this.source.file, where: this.where(path), expected: `a float32 dataset of shape [${shape.join(', ')}]`,
        hint: 'the weights do not match the model config: save the whole model with model.save(...)',
      });
    }
    const actual = this.guarded(path, () => [...node.shape]);
    const dtype = this.guarded(path, () => node.dtype);
    if (typeof dtype !== 'string' || !FLOAT_DTYPES.has(dtype)) {
      throw new BnncError(`${what} has data type ${JSON.stringify(dtype)}`, { file: this.source.file, where: this.where(path), expected: 'float32 (or float64) weights' });
    }
    const same = actual.length === shape.length && actual.every((d, i) => d === shape[i]);
    // Keras 2 stores 0-d weights as [1]: accept a single value for a one-element shape.
    const count = shape.reduce((a, b) => a * b, 1);
    if (!same && !(count === 1 && actual.reduce((a, b) => a * b, 1) === 1)) {
      throw new BnncError(`${what} has shape [${actual.join(', ')}]`, {
        file: this.source.file, where: this.where(path), expected: `shape [${shape.join(', ')}] (from the layer config and its input)`,
      });
    }
    const values = this.guarded(path, () => node.value as ArrayLike<number>, 'complete dataset data');
    if (!values || values.length !== count) {
      throw new BnncError(`${what}: ${values?.length ?? 0} values stored`, { file: this.source.file, where: this.where(path), expected: `${count} values`, hint: 'the file is truncated' });
    }
    return Float32Array.from(values as ArrayLike<number>);
  }
}

function toStringList(value: unknown): string[] | null {
  if (typeof value === 'string') return [stripNul(value)];
  if (value instanceof Uint8Array) return [stripNul(new TextDecoder().decode(value))];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map(stripNul);
  return null;
}

/** h5py writes fixed-length strings NUL-padded to the longest element. */
function stripNul(text: string): string {
  const end = text.indexOf('\0');
  return end < 0 ? text : text.slice(0, end);
}
