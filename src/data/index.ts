/**
 * Data sets for `bnnc verify --data <path> [--limit N] [--data-scale S] [--data-offset O]`.
 * The format comes from the path: a folder (MNIST-style IDX files), an IDX
 * file, .npy, .npz or .csv, each optionally gzipped. Every format reader
 * yields raw arrays (elements.ts); this module applies the limit, maps values
 * to what the model expects (scale * v + offset) and checks the labels.
 */
import { statSync, type Stats } from 'node:fs';
import { basename } from 'node:path';
import { BnncError } from '../errors.ts';
import { loadCsvFile, type LabelColumn } from './csv.ts';
import { product, type RawData } from './elements.ts';
import { withoutGzipSuffix } from './files.ts';
import { isIdxName, loadIdxFile, loadIdxFolder } from './idx.ts';
import { loadNpyFile } from './npy.ts';
import { loadNpzFile } from './npz.ts';

export interface Dataset {
  /** Path as given. */
  source: string;
  /** Number of samples after --limit. */
  samples: number;
  /** Values per sample (flattened). */
  features: number;
  /** Per-sample shape as stored (e.g. [28, 28]); its product is `features`. */
  shape: number[];
  /** samples * features values, already mapped v -> scale * v + offset. */
  inputs: Float64Array;
  /** Class labels when the data has them. */
  labels: Int32Array | null;
}

export interface LoadOptions {
  /** Use only the first N samples (all of them when the file has fewer). */
  limit?: number;
  /** CSV only: the column that holds the labels (0-based, or 'last'). */
  labelColumn?: LabelColumn;
  scale?: number;
  offset?: number;
  /** Number of classes of the model: labels must lie in 0..classes-1. */
  classes?: number;
}

/** For help texts and error messages. */
export const ACCEPTED_DATA_FORMATS =
  'a folder of MNIST-style IDX files (images + optional labels), a single IDX file (*-idx3-ubyte), ' +
  '.npy, .npz (arrays "inputs" and optional "labels") or .csv; each may also be gzipped (.gz)';

type FileFormat = 'idx' | 'npy' | 'npz' | 'csv';

const FORMAT_LOADERS: Record<FileFormat, (file: string, labelColumn?: LabelColumn) => RawData> = {
  idx: loadIdxFile,
  npy: loadNpyFile,
  npz: loadNpzFile,
  csv: loadCsvFile,
};

export function loadDataset(path: string, options: LoadOptions = {}): Dataset {
  const { limit, scale, offset } = checkOptions(options);
  const raw = readRawData(path, options.labelColumn);
  const { available, features, shape } = describeInputs(raw);
  checkLabelCount(raw, available);
  const samples = Math.min(limit ?? available, available);
  return {
    source: path,
    samples,
    features,
    shape,
    inputs: readInputs(raw, samples, features, scale, offset),
    labels: raw.labels && readLabels(raw, samples, options.classes),
  };
}

/**
 * Parses --data-scale / --data-offset values: a decimal number ("0.5", "2e-3",
 * "-1") or a fraction ("1/255"), because pixel scales are usually written as
 * fractions and 0.00392156862745098 is easy to mistype.
 */
export function parseScale(text: string, option = '--data-scale'): number {
  const numberPattern = '[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?';
  const match = new RegExp(`^(${numberPattern})(?:/(${numberPattern}))?$`).exec(text.trim());
  const value = match ? Number(match[1]) / (match[2] === undefined ? 1 : Number(match[2])) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new BnncError(`'${text}' is not a usable number`, {
      where: option,
      expected: 'a number such as 0.5, 2e-3 or -1, or a fraction such as 1/255 (with a non-zero denominator)',
    });
  }
  return value;
}

function checkOptions(options: LoadOptions): { limit: number | undefined; scale: number; offset: number } {
  const { limit, scale = 1, offset = 0 } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
    throw new BnncError(`${limit} is not a valid sample limit`, { where: '--limit', expected: 'a whole number of at least 1' });
  }
  if (!Number.isFinite(scale)) throw new BnncError(`${scale} is not a usable scale`, { where: '--data-scale', expected: 'a finite number' });
  if (!Number.isFinite(offset)) throw new BnncError(`${offset} is not a usable offset`, { where: '--data-offset', expected: 'a finite number' });
  return { limit, scale, offset };
}

function readRawData(path: string, labelColumn: LabelColumn | undefined): RawData {
  const isFolder = statOrFail(path).isDirectory();
  const format = isFolder ? null : formatFromName(basename(path));
  if (labelColumn !== undefined && format !== 'csv') {
    throw new BnncError('--label-column applies to CSV files only', { file: path, hint: 'the other formats store labels separately (IDX labels file, .npz "labels")' });
  }
  if (isFolder) return loadIdxFolder(path);
  if (format === null) {
    throw new BnncError('unknown data format (the file name does not say which format it is)', {
      file: path,
      expected: ACCEPTED_DATA_FORMATS,
      hint: 'rename the file to the extension of its format, or convert it to .npy/.csv',
    });
  }
  return FORMAT_LOADERS[format](path, labelColumn);
}

function statOrFail(path: string): Stats {
  try {
    return statSync(path);
  } catch {
    throw new BnncError('no such file or folder', {
      file: path,
      expected: ACCEPTED_DATA_FORMATS,
      hint: `check the path; relative paths are taken from ${process.cwd()}`,
    });
  }
}

function formatFromName(name: string): FileFormat | null {
  const base = withoutGzipSuffix(name).toLowerCase();
  if (base.endsWith('.npy')) return 'npy';
  if (base.endsWith('.npz')) return 'npz';
  if (base.endsWith('.csv')) return 'csv';
  if (isIdxName(base)) return 'idx';
  return null;
}

function describeInputs(raw: RawData): { available: number; features: number; shape: number[] } {
  const fullShape = raw.inputs.shape;
  const where = raw.inputsFile === raw.labelsFile ? 'inputs' : undefined;
  if (fullShape.length === 0) {
    throw new BnncError('inputs are a single number, not a list of samples', {
      file: raw.inputsFile,
      where,
      expected: 'an array whose first axis counts the samples, e.g. shape (N, 784)',
    });
  }
  const [available, ...shape] = fullShape;
  const features = product(shape);
  if (available === 0 || features === 0) {
    throw new BnncError(`data set is empty (shape (${fullShape.join(', ')}))`, {
      file: raw.inputsFile,
      where,
      expected: 'at least one sample with at least one value',
    });
  }
  return { available, features, shape };
}

/** Labels come one per sample: shape (N) or (N, 1). */
function checkLabelCount(raw: RawData, available: number): void {
  if (!raw.labels) return;
  const [count, ...rest] = raw.labels.shape;
  if (raw.labels.shape.length === 0 || product(rest) !== 1) {
    throw new BnncError(`labels have shape (${raw.labels.shape.join(', ')}), not one label per sample`, {
      file: raw.labelsFile ?? raw.inputsFile,
      where: raw.labelsFile === raw.inputsFile ? 'labels' : undefined,
      expected: `shape (${available}) or (${available}, 1)`,
    });
  }
  if (count !== available) {
    throw new BnncError(`there are ${available} samples but ${count} labels`, {
      file: raw.labelsFile ?? raw.inputsFile,
      where: raw.labelsFile === raw.inputsFile ? 'labels' : undefined,
      expected: `one label per sample (${available} labels, to match ${raw.inputsFile})`,
      hint: 'the inputs and labels probably come from different data sets (e.g. train vs. test)',
    });
  }
}

function readInputs(raw: RawData, samples: number, features: number, scale: number, offset: number): Float64Array {
  const count = samples * features;
  const values = new Float64Array(count);
  raw.inputs.read(0, count, values);
  if (scale !== 1 || offset !== 0) {
    for (let i = 0; i < count; i++) values[i] = scale * values[i] + offset;
  }
  requireFiniteInputs(raw, values, features, scale !== 1 || offset !== 0);
  return values;
}

/** NaN or Inf has no device representation (and no C99 literal): name the sample instead of failing later. */
function requireFiniteInputs(raw: RawData, values: Float64Array, features: number, mapped: boolean): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad < 0) return;
  const sample = Math.floor(bad / features);
  const where = raw.sampleLocation?.(sample) ?? `sample ${sample} (counting from 0)`;
  throw new BnncError(`value ${bad % features} of the sample is ${values[bad]}${mapped ? ' after --data-scale/--data-offset' : ''}`, {
    file: raw.inputsFile,
    where: raw.inputsFile === raw.labelsFile ? `inputs, ${where}` : where,
    expected: 'finite numbers (no NaN or Inf)',
    hint: mapped ? 'check the file and the --data-scale/--data-offset values' : 'remove or repair the sample; NaN often marks a missing measurement',
  });
}

function readLabels(raw: RawData, samples: number, classes: number | undefined): Int32Array {
  const values = new Float64Array(samples);
  raw.labels?.read(0, samples, values);
  const labels = new Int32Array(samples);
  for (let sample = 0; sample < samples; sample++) {
    const value = values[sample];
    if (!Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) {
      throw new BnncError(`label ${value} is not an integer class index`, {
        file: raw.labelsFile ?? raw.inputsFile,
        where: raw.sampleLocation?.(sample) ?? `sample ${sample} (counting from 0)`,
        expected: 'integer class labels (0, 1, 2, ...)',
        hint: 'labels are compared with the class the model predicts, so they must be class indices',
      });
    }
    if (classes !== undefined && classes >= 1 && (value < 0 || value >= classes)) {
      throw new BnncError(`label ${value} is outside the model's ${classes} classes`, {
        file: raw.labelsFile ?? raw.inputsFile,
        where: raw.sampleLocation?.(sample) ?? `sample ${sample} (counting from 0)`,
        expected: `class indices 0..${classes - 1}`,
        hint: 'the data set probably belongs to another model, or its labels are 1-based',
      });
    }
    labels[sample] = value;
  }
  return labels;
}

/** Parses --label-column: a 0-based index or "last". */
export function parseLabelColumn(text: string): LabelColumn {
  if (text === 'last') return 'last';
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new BnncError(`"${text}" is not a column`, { where: '--label-column', expected: 'a 0-based column index or "last"' });
  return n;
}
