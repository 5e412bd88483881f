import { mkdirSync } from 'node:fs';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ACCEPTED_DATA_FORMATS, loadDataset, parseScale } from '../../src/data/index.ts';
import { concat, expectBnncError, idxBytes, npyBytes, useTempDir, writeFile } from './fixtures.ts';

const temp = useTempDir();

describe('parseScale', () => {
  it.each([
    ['0.5', 0.5],
    ['1/255', 1 / 255],
    ['2e-3', 0.002],
    ['-1', -1],
    [' 3 ', 3],
    ['.25', 0.25],
    ['-2/4', -0.5],
    ['1E2/1e1', 10],
  ])('parses %j', (text, value) => {
    expect(parseScale(text)).toBe(value);
  });

  it.each(['', 'abc', '1/0', '0x10', '1/', '/2', '1/2/3', 'NaN', 'Infinity', '1e999'])('rejects %j', (text) => {
    expectBnncError(() => parseScale(text), '--data-scale', 'is not a usable number');
  });

  it('names the option it parses', () => {
    expectBnncError(() => parseScale('x', '--data-offset'), '--data-offset');
  });
});

describe('loadDataset options', () => {
  const file = writeFile(temp('four.npy'), npyBytes({ descr: '|u1', shape: [4, 2], values: [0, 255, 1, 2, 3, 4, 5, 6] }));

  it('maps v -> scale * v + offset', () => {
    const data = loadDataset(file, { scale: parseScale('1/255'), offset: -0.5 });
    expect(data.inputs[0]).toBe(-0.5);
    expect(data.inputs[1]).toBe(0.5);
  });

  it('leaves values alone by default', () => {
    expect(Array.from(loadDataset(file).inputs)).toEqual([0, 255, 1, 2, 3, 4, 5, 6]);
  });

  it('uses the first N samples and all of them when N is larger', () => {
    expect(loadDataset(file, { limit: 1 }).samples).toBe(1);
    expect(Array.from(loadDataset(file, { limit: 3 }).inputs)).toEqual([0, 255, 1, 2, 3, 4]);
    expect(loadDataset(file, { limit: 1000 }).samples).toBe(4);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects limit %s', (limit) => {
    expectBnncError(() => loadDataset(file, { limit }), '--limit');
  });

  it('rejects non-finite scale and offset', () => {
    expectBnncError(() => loadDataset(file, { scale: Number.POSITIVE_INFINITY }), '--data-scale');
    expectBnncError(() => loadDataset(file, { offset: Number.NaN }), '--data-offset');
  });
});

describe('format detection', () => {
  it('reports a missing path', () => {
    const missing = temp('does-not-exist.npy');
    const error = expectBnncError(() => loadDataset(missing), missing, 'no such file or folder');
    expect(error.context.hint).toContain(process.cwd());
  });

  it('reports an unknown extension with the accepted formats', () => {
    const file = writeFile(temp('data.bin'), new Uint8Array(4));
    const error = expectBnncError(() => loadDataset(file), file, 'unknown data format', '.npy', '.npz', '.csv', 'IDX');
    expect(error.context.expected).toBe(ACCEPTED_DATA_FORMATS);
  });

  it('reports an unknown extension under .gz as well', () => {
    const file = writeFile(temp('data.json.gz'), gzipSync(new Uint8Array(4)));
    expectBnncError(() => loadDataset(file), file, 'unknown data format');
  });

  it('loads 10,000 gzipped 28x28 IDX images well under a second', () => {
    const dir = temp('big');
    mkdirSync(dir);
    const images = Uint8Array.from({ length: 10_000 * 784 }, (_, i) => (i * 31) % 256);
    const labels = Uint8Array.from({ length: 10_000 }, (_, i) => i % 10);
    // Header from the fixture writer, payload appended directly: encoding 7.8M values one by one would dominate the test.
    writeFile(`${dir}/images-idx3-ubyte.gz`, gzipSync(concat(idxBytes('u1', [10_000, 28, 28], []), images), { level: 1 }));
    writeFile(`${dir}/labels-idx1-ubyte.gz`, gzipSync(concat(idxBytes('u1', [10_000], []), labels)));
    const started = performance.now();
    const data = loadDataset(dir, { scale: 1 / 255 });
    const elapsed = performance.now() - started;
    expect(data.samples).toBe(10_000);
    expect(data.labels![9_999]).toBe(9);
    expect(data.inputs[784 * 9_999 + 783]).toBeCloseTo(images[784 * 9_999 + 783] / 255, 12);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('loadDataset value checks', () => {
  it('rejects NaN and Inf inputs, naming the file and the sample', () => {
    const file = writeFile(temp('nan.npy'), npyBytes({ descr: '<f4', shape: [3, 2], values: [0, 1, 2, Number.NaN, 4, 5] }));
    expectBnncError(() => loadDataset(file), file, 'sample 1', 'NaN', 'finite numbers');
    const inf = writeFile(temp('inf.npy'), npyBytes({ descr: '<f8', shape: [2, 2], values: [0, 1, Number.POSITIVE_INFINITY, 3] }));
    expectBnncError(() => loadDataset(inf), inf, 'sample 1', 'Infinity');
  });

  it('rejects values that --data-scale turns into Inf', () => {
    const file = writeFile(temp('big.npy'), npyBytes({ descr: '<f8', shape: [1, 2], values: [1e300, 1] }));
    expectBnncError(() => loadDataset(file, { scale: 1e300 }), file, 'sample 0', '--data-scale');
  });

  it('rejects labels outside the class range when the model is known', () => {
    const dir = temp('labels');
    mkdirSync(dir);
    writeFile(`${dir}/images-idx3-ubyte`, idxBytes('u1', [3, 2, 2], Array(12).fill(0)));
    writeFile(`${dir}/labels-idx1-ubyte`, idxBytes('u1', [3], [0, 9, 10]));
    expect(loadDataset(dir).labels![2]).toBe(10);
    expectBnncError(() => loadDataset(dir, { classes: 10 }), 'label 10', "model's 10 classes", 'sample 2', '0..9');
    expect(loadDataset(dir, { classes: 11 }).samples).toBe(3);
  });
});
