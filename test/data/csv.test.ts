import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/index.ts';
import { expectBnncError, useTempDir, writeFile } from './fixtures.ts';

const temp = useTempDir();

function csv(name: string, text: string): string {
  return writeFile(temp(name), text);
}

describe('CSV', () => {
  it('treats every column as input when there is no header', () => {
    const data = loadDataset(csv('plain.csv', '1,2,3\n4,5,6\n'));
    expect(data).toMatchObject({ samples: 2, features: 3, shape: [3], labels: null });
    expect(Array.from(data.inputs)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  for (const name of ['label', 'labels', 'target', 'class', 'y', 'Class', 'LABEL']) {
    it(`takes the column named '${name}' as labels, wherever it is`, () => {
      const data = loadDataset(csv(`named-${name}.csv`, `a,${name},b\n0.5,3,-1\n2e-1,0,7\n`));
      expect(data.features).toBe(2);
      expect(Array.from(data.inputs)).toEqual([0.5, -1, 0.2, 7]);
      expect(Array.from(data.labels!)).toEqual([3, 0]);
    });
  }

  it('has no labels when the header names no label column', () => {
    const data = loadDataset(csv('features-only.csv', 'p0,p1\n1,2\n'));
    expect(data).toMatchObject({ features: 2, labels: null });
  });

  it('copes with CRLF, blank lines, quotes, spaces and a # header', () => {
    const data = loadDataset(csv('messy.csv', '# "x1", "label"\r\n\r\n "1.5" , 2 \r\n\r\n3,"4"\r\n'));
    expect(Array.from(data.inputs)).toEqual([1.5, 3]);
    expect(Array.from(data.labels!)).toEqual([2, 4]);
  });

  it('reads .csv.gz and applies limit and mapping', () => {
    const file = writeFile(temp('packed.csv.gz'), gzipSync(new TextEncoder().encode('x,y\n255,1\n0,2\n51,3\n')));
    const data = loadDataset(file, { limit: 2, scale: 2 / 255, offset: -1 });
    expect(Array.from(data.inputs)).toEqual([1, -1]);
    expect(Array.from(data.labels!)).toEqual([1, 2]);
  });

  it('reports a bad cell with file, line and column name', () => {
    const file = csv('bad-cell.csv', 'a,b,label\n1,2,0\n\n3,x7,1\n');
    const error = expectBnncError(() => loadDataset(file), file, "'x7' is not a number");
    expect(error.context.where).toBe('line 4, column 2 ("b")');
  });

  it.each(['0x10', '0b1', '0o7', '1_000', '1.5e'])('takes only decimal numbers: %j is a bad cell', (cell) => {
    const file = csv(`not-decimal-${cell.replace(/\W/g, '_')}.csv`, `a,b,label\n1,2,0\n3,"${cell}",1\n`);
    expectBnncError(() => loadDataset(file), file, 'line 3, column 2', 'is not a number');
  });

  it('reports a bad cell by line and column number without a header', () => {
    const file = csv('bad-cell-no-header.csv', '1,2\n3,NaN\n');
    expectBnncError(() => loadDataset(file), file, 'line 2, column 2', "'NaN' is not a number");
  });

  it('does not mistake a first data row with a missing or NaN value for a header', () => {
    const missing = csv('first-row-missing.csv', '1,,3\n4,5,6\n');
    expectBnncError(() => loadDataset(missing), missing, 'line 1, column 2', 'value is missing');
    const nan = csv('first-row-nan.csv', '1,2,nan\n4,5,6\n');
    expectBnncError(() => loadDataset(nan), nan, 'line 1, column 3', "'nan' is not a number");
  });

  it('accepts numeric column names next to a label column (pandas to_csv of integer columns)', () => {
    const data = loadDataset(csv('pandas.csv', '0,1,target\n5,6,1\n'));
    expect(data).toMatchObject({ features: 2 });
    expect(Array.from(data.labels!)).toEqual([1]);
  });

  it('reports a missing value', () => {
    const file = csv('missing.csv', '1,2\n3,\n');
    expectBnncError(() => loadDataset(file), file, 'line 2, column 2', 'value is missing');
  });

  it('reports rows of the wrong width', () => {
    const file = csv('ragged.csv', 'a,b\n1,2\n3,4,5\n');
    expectBnncError(() => loadDataset(file), file, 'line 3', '3 values but the header has 2');
  });

  it('reports non-integer labels by line', () => {
    const file = csv('float-labels.csv', 'x,target\n1,0\n2,0.5\n');
    expectBnncError(() => loadDataset(file), file, 'line 3', 'label 0.5 is not an integer');
  });

  it('rejects two label columns', () => {
    const file = csv('two-labels.csv', 'x,label,class\n1,2,3\n');
    expectBnncError(() => loadDataset(file), file, 'several label columns: label, class');
  });

  it('rejects an empty file and a header without rows', () => {
    const empty = csv('empty.csv', '\n\n');
    expectBnncError(() => loadDataset(empty), empty, 'file is empty');
    const headerOnly = csv('header-only.csv', 'a,b,label\n');
    expectBnncError(() => loadDataset(headerOnly), headerOnly, 'header but no data rows');
  });
});

describe('--label-column', () => {
  it('takes the labels of a headerless CSV from the named column (scikit-learn digits: the last)', () => {
    const d = loadDataset('datasets/sklearn-digits/digits.csv.gz', { labelColumn: 'last' });
    expect(d.samples).toBe(1797);
    expect(d.features).toBe(64);
    expect(d.labels!.length).toBe(1797);
    expect(Math.max(...d.labels!)).toBe(9);
    expect(Math.max(...d.inputs)).toBe(16);
  });

  it('rejects a column the file does not have, and other formats', () => {
    expect(() => loadDataset('datasets/sklearn-digits/digits.csv.gz', { labelColumn: 70 })).toThrow(/there is no column 70 \(the file has 65\)/);
    expect(() => loadDataset('datasets/mnist-test', { labelColumn: 'last' })).toThrow(/--label-column applies to CSV files only/);
  });
});
