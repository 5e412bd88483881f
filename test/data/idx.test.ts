import { mkdirSync } from 'node:fs';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/index.ts';
import { idxBytes, expectBnncError, useTempDir, writeFile, type Code } from './fixtures.ts';

const temp = useTempDir();

function folder(name: string, files: Record<string, Uint8Array | string>): string {
  const dir = temp(name);
  mkdirSync(dir);
  for (const [file, bytes] of Object.entries(files)) writeFile(`${dir}/${file}`, bytes);
  return dir;
}

const IMAGES = [0, 1, 2, 3, 10, 11, 12, 13, 250, 251, 252, 255]; // 3 samples of 2x2

describe('IDX folder', () => {
  it('pairs the images and labels files by their headers, gzipped or not', () => {
    const dir = folder('mnist-like', {
      'train-images-idx3-ubyte.gz': gzipSync(idxBytes('u1', [3, 2, 2], IMAGES)),
      'train-labels-idx1-ubyte': idxBytes('u1', [3], [7, 2, 1]),
      'README.txt': 'not data',
      'train-images-idx3-ubyte.gz.md5': 'checksum sidecar, must be ignored',
    });
    const data = loadDataset(dir);
    expect(data.source).toBe(dir);
    expect(data.samples).toBe(3);
    expect(data.features).toBe(4);
    expect(data.shape).toEqual([2, 2]);
    expect(Array.from(data.inputs)).toEqual(IMAGES);
    expect(Array.from(data.labels!)).toEqual([7, 2, 1]);
  });

  it('tells images from labels by rank, whatever the names say', () => {
    const dir = folder('odd-names', {
      'a.idx': idxBytes('u1', [2], [4, 5]),
      'b.idx': idxBytes('u1', [2, 3], [1, 2, 3, 4, 5, 6]),
    });
    const data = loadDataset(dir);
    expect(data.shape).toEqual([3]);
    expect(Array.from(data.labels!)).toEqual([4, 5]);
  });

  it('has no labels when the folder holds only images', () => {
    const dir = folder('images-only', { 't10k-images-idx3-ubyte': idxBytes('u1', [3, 2, 2], IMAGES) });
    expect(loadDataset(dir).labels).toBeNull();
  });

  it('applies limit and mapping to images and labels alike', () => {
    const dir = folder('limited', {
      'x-idx3-ubyte': idxBytes('u1', [3, 2, 2], IMAGES),
      'y-idx1-ubyte': idxBytes('u1', [3], [7, 2, 1]),
    });
    const data = loadDataset(dir, { limit: 2, scale: 1 / 255 });
    expect(data.samples).toBe(2);
    expect(data.inputs.length).toBe(8);
    expect(data.inputs[7]).toBeCloseTo(13 / 255, 12);
    expect(Array.from(data.labels!)).toEqual([7, 2]);
  });

  it('rejects a folder without IDX files and lists what it found', () => {
    const dir = folder('no-idx', { 'data.npy': 'x', 'notes.txt': 'y' });
    expectBnncError(() => loadDataset(dir), dir, 'no IDX images file', 'data.npy, notes.txt');
  });

  it('rejects a folder with two candidate images files', () => {
    const dir = folder('two-sets', {
      'train-images-idx3-ubyte': idxBytes('u1', [1, 1, 1], [1]),
      't10k-images-idx3-ubyte': idxBytes('u1', [1, 1, 1], [1]),
    });
    expectBnncError(() => loadDataset(dir), dir, 'ambiguous', 'train-images-idx3-ubyte', 't10k-images-idx3-ubyte');
  });

  it('rejects images and labels with different counts, naming the labels file', () => {
    const dir = folder('mismatch', {
      'x-idx3-ubyte': idxBytes('u1', [3, 2, 2], IMAGES),
      'y-idx1-ubyte': idxBytes('u1', [2], [1, 2]),
    });
    expectBnncError(() => loadDataset(dir), 'y-idx1-ubyte', '3 samples but 2 labels');
  });
});

describe('single IDX file', () => {
  const cases: [Code, number[]][] = [
    ['u1', [0, 127, 128, 255]],
    ['i1', [-128, -1, 0, 127]],
    ['i2', [-32768, -2, 300, 32767]],
    ['i4', [-2147483648, -3, 70000, 2147483647]],
    ['f4', [-1.5, 0, 0.25, 3e10]],
    ['f8', [-1e-300, 0.1, Math.PI, 1e300]],
  ];
  for (const [code, values] of cases) {
    it(`reads ${code} elements (big-endian) without labels`, () => {
      const file = writeFile(temp(`single-${code}-idx3`), idxBytes(code, [2, 1, 2], values));
      const data = loadDataset(file);
      expect(data.shape).toEqual([1, 2]);
      expect(data.labels).toBeNull();
      expect(Array.from(data.inputs)).toEqual(code === 'f4' ? values.map(Math.fround) : values);
    });
  }

  it('rejects a labels-only file with a hint to pass the folder', () => {
    const file = writeFile(temp('t-labels-idx1-ubyte'), idxBytes('u1', [2], [1, 2]));
    const error = expectBnncError(() => loadDataset(file), file, 'labels file');
    expect(error.context.hint).toContain('folder');
  });

  it('rejects a file that is not IDX', () => {
    const file = writeFile(temp('fake-idx3-ubyte'), 'hello');
    expectBnncError(() => loadDataset(file), file, 'not an IDX file', '68 65 6C 6C');
  });

  it('rejects an unknown element type', () => {
    const bytes = idxBytes('u1', [1, 1], [1]);
    bytes[2] = 0x0a;
    const file = writeFile(temp('badtype-idx2'), bytes);
    expectBnncError(() => loadDataset(file), file, 'unknown IDX element type 0x0A', 'byte 2');
  });

  it('rejects a file cut off inside its header', () => {
    const file = writeFile(temp('short-header-idx3'), idxBytes('u1', [2, 2, 2], []).subarray(0, 10));
    expectBnncError(() => loadDataset(file), file, 'truncated inside the IDX header');
  });

  it('rejects a file with fewer data bytes than the header says', () => {
    const bytes = idxBytes('u1', [3, 2, 2], IMAGES);
    const file = writeFile(temp('truncated-idx3-ubyte'), bytes.subarray(0, bytes.length - 5));
    expectBnncError(() => loadDataset(file), file, 'truncated', '12 bytes', 'only 7');
  });

  it('rejects a file with more data bytes than the header says', () => {
    const file = writeFile(temp('long-idx3-ubyte'), idxBytes('u1', [2, 2, 2], IMAGES));
    expectBnncError(() => loadDataset(file), file, '4 bytes more than its header describes');
  });

  it('rejects damaged gzip data', () => {
    const gz = gzipSync(idxBytes('u1', [3, 2, 2], IMAGES));
    const file = writeFile(temp('cut-idx3-ubyte.gz'), gz.subarray(0, gz.length - 12));
    expectBnncError(() => loadDataset(file), file, 'gzip data is damaged or truncated');
  });

  it('rejects an empty data set', () => {
    const file = writeFile(temp('empty-idx3-ubyte'), idxBytes('u1', [0, 28, 28], []));
    expectBnncError(() => loadDataset(file), file, 'empty');
  });
});
