/**
 * Comma-separated numbers, one sample per line (`.csv`, `.csv.gz`).
 * A first line holding any non-numeric field is a header. With a header, a
 * column named label/labels/target/class/y (any case) holds the labels and
 * every other column is an input. Without a header every column is an input:
 * guessing that the last column is a label would silently feed wrong inputs
 * to a model whenever the guess is wrong; `--label-column` says it instead
 * (a 0-based index, or `last`), e.g. for scikit-learn's digits.csv.
 */
import { BnncError } from '../errors.ts';
import { float64Array, type RawData } from './elements.ts';
import { readDataFile } from './files.ts';

const LABEL_COLUMN_NAMES = ['label', 'labels', 'target', 'class', 'y'];

interface Row {
  /** 1-based line number in the file, for messages. */
  line: number;
  fields: string[];
}

interface Columns {
  names: string[] | null;
  labelColumn: number | null;
}

/** A label column given by the user: a 0-based index or the last column. */
export type LabelColumn = number | 'last';

export function loadCsvFile(file: string, labelColumn?: LabelColumn): RawData {
  const text = new TextDecoder('utf-8').decode(readDataFile(file));
  const lines = nonBlankRows(text);
  const first = lines.next().value ?? undefined;
  const columns = withLabelColumn(file, readHeader(file, first), first, labelColumn);
  const width = columns.names?.length ?? first?.fields.length ?? 0;
  const inputWidth = columns.labelColumn === null ? width : width - 1;
  const inputs = new GrowingArray(Float64Array);
  const labels = columns.labelColumn === null ? null : new GrowingArray(Float64Array);
  const lineNumbers = new GrowingArray(Int32Array);
  const row = new Float64Array(inputWidth);
  const label = new Float64Array(1);
  const add = (r: Row) => {
    checkRowWidth(file, r, width, columns.names !== null);
    readRow(file, r, columns, row, label, 0);
    inputs.push(row);
    labels?.push(label);
    lineNumbers.push([r.line]);
  };
  if (first && !columns.names) add(first);
  for (const r of lines) add(r);
  const samples = lineNumbers.length;
  if (samples === 0) {
    throw new BnncError(columns.names ? 'file has a header but no data rows' : 'file is empty', {
      file,
      expected: 'one line of comma-separated numbers per sample',
    });
  }
  const rowLines = lineNumbers.values();
  return {
    inputs: float64Array([samples, inputWidth], inputs.values()),
    inputsFile: file,
    labels: labels ? float64Array([samples], labels.values()) : null,
    labelsFile: labels ? file : null,
    sampleLocation: (sample) => `line ${rowLines[sample]}`,
  };
}

/**
 * The non-blank lines with their real 1-based numbers, split one at a time:
 * only the numbers are kept, so memory grows with the values, not with one
 * object per line or per field.
 */
function* nonBlankRows(text: string): Generator<Row> {
  let line = 0;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const lineText = text.slice(start, text.charCodeAt(end - 1) === 13 && end > start ? end - 1 : end);
    if (lineText.trim() !== '') yield { line, fields: lineText.split(',') };
    start = end + 1;
  }
}

/** A typed array that doubles its capacity as values are appended. */
class GrowingArray<T extends Float64Array | Int32Array> {
  private data: T;
  length = 0;

  constructor(private readonly make: new (n: number) => T) {
    this.data = new make(1024);
  }

  push(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) {
      const bigger = new this.make(Math.max(2 * this.data.length, this.length + values.length));
      bigger.set(this.data.subarray(0, this.length));
      this.data = bigger;
    }
    this.data.set(values, this.length);
    this.length += values.length;
  }

  values(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

function withLabelColumn(file: string, columns: Columns, first: Row | undefined, given: LabelColumn | undefined): Columns {
  if (given === undefined) return columns;
  const width = columns.names?.length ?? first?.fields.length ?? 0;
  const index = given === 'last' ? width - 1 : given;
  if (!(Number.isInteger(index) && index >= 0 && index < width)) {
    throw new BnncError(`there is no column ${given} (the file has ${width})`, { file, where: '--label-column', expected: `0..${width - 1} or last` });
  }
  return { ...columns, labelColumn: index };
}

function readHeader(file: string, first: Row | undefined): Columns {
  if (first === undefined || !first.fields.some(isWord)) return { names: null, labelColumn: null };
  // np.savetxt(header=...) writes the header as a '# ' comment.
  const names = first.fields.map((field, i) => unquote(i === 0 ? field.replace(/^\s*#/, '') : field));
  const labelColumns = names.flatMap((name, i) => (LABEL_COLUMN_NAMES.includes(name.toLowerCase()) ? [i] : []));
  if (labelColumns.length > 1) {
    throw new BnncError(`header names several label columns: ${labelColumns.map((i) => names[i]).join(', ')}`, {
      file,
      where: `line ${first.line}`,
      expected: `exactly one column named ${LABEL_COLUMN_NAMES.join(', ')} (or none)`,
      hint: 'rename or drop the extra columns',
    });
  }
  return { names, labelColumn: labelColumns[0] ?? null };
}

/**
 * A header field is text that is not a number. Empty cells and NaN/Inf
 * spellings do not count: a first data row with a missing or NaN value must
 * fail loudly at that cell instead of being taken for a header and dropped.
 */
function isWord(field: string): boolean {
  const text = unquote(field.replace(/^\s*#/, ''));
  return text !== '' && Number.isNaN(parseNumber(text)) && !/^[+-]?(nan|inf|infinity)$/i.test(text);
}

function checkRowWidth(file: string, row: Row, width: number, hasHeader: boolean): void {
  if (row.fields.length !== width) {
    throw new BnncError(`line has ${row.fields.length} values but ${hasHeader ? 'the header has' : 'the first line has'} ${width}`, {
      file,
      where: `line ${row.line}`,
      expected: `${width} comma-separated values on every line`,
    });
  }
}

function readRow(file: string, row: Row, columns: Columns, inputs: Float64Array, labels: Float64Array | null, sample: number): void {
  let next = 0;
  row.fields.forEach((field, column) => {
    const value = parseNumber(field);
    if (Number.isNaN(value)) throw badCell(file, row, column, columns, field);
    if (column === columns.labelColumn && labels) labels[sample] = value;
    else inputs[next++] = value;
  });
}

/** A decimal number as CSV writers spell it; Number() alone would also take 0x10, 0b1 and 0o7. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** NaN for anything that is not a finite decimal number; NaN/Infinity cells are rejected too. */
function parseNumber(field: string): number {
  const text = unquote(field); // "1.5" written by quote-everything exporters
  if (!DECIMAL.test(text)) return Number.NaN;
  const value = Number(text);
  return Number.isFinite(value) ? value : Number.NaN;
}

function unquote(field: string): string {
  const text = field.trim();
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1).trim() : text;
}

function badCell(file: string, row: Row, column: number, columns: Columns, field: string): BnncError {
  const name = columns.names ? ` ("${columns.names[column]}")` : '';
  const problem = unquote(field) === '' ? 'value is missing' : `'${field.trim()}' is not a number`;
  return new BnncError(problem, {
    file,
    where: `line ${row.line}, column ${column + 1}${name}`,
    expected: 'a finite decimal number in every cell',
    hint: 'values must be separated by commas; only the first line may be a header',
  });
}
