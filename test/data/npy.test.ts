import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/index.ts';
import { expectBnncError, npyBytes, useTempDir, writeFile, type Code } from './fixtures.ts';

const temp = useTempDir();

/** Values that exercise sign, the high byte and (for 64-bit) both 32-bit halves. */
const VALUES: Record<Code, number[]> = {
  b1: [0, 1, 1, 0],
  u1: [0, 1, 128, 255],
  i1: [-128, -1, 0, 127],
  u2: [0, 1, 258, 65535],
  i2: [-32768, -258, 1, 32767],
  u4: [0, 1, 0x01020304, 4294967295],
  i4: [-2147483648, -66000, 66000, 2147483647],
  u8: [0, 1, 2 ** 40 + 5, 2 ** 53 - 1],
  i8: [-(2 ** 53) + 1, -(2 ** 33) - 7, -1, 2 ** 40 + 3],
  f4: [-2.5, 0, 0.1, 1e30],
  f8: [-1e-300, 0.1, Math.PI, 1e300],
};

function byteOrders(code: Code): string[] {
  return code.endsWith('1') ? ['|'] : ['<', '>'];
}

describe('.npy dtypes', () => {
  for (const code of Object.keys(VALUES) as Code[]) {
    for (const order of byteOrders(code)) {
      it(`reads ${order}${code}`, () => {
        const values = VALUES[code];
        const file = writeFile(temp(`dtype-${code}-${order === '>' ? 'be' : 'le'}.npy`), npyBytes({ descr: `${order}${code}`, shape: [2, 2], values }));
        const data = loadDataset(file);
        expect(data.samples).toBe(2);
        expect(data.shape).toEqual([2]);
        expect(data.labels).toBeNull();
        expect(Array.from(data.inputs)).toEqual(code === 'f4' ? values.map(Math.fround) : values);
      });
    }
  }
});

describe('.npy layout', () => {
  for (const version of [1, 2, 3] as const) {
    it(`reads format version ${version}`, () => {
      const file = writeFile(temp(`v${version}.npy`), npyBytes({ descr: '<f8', shape: [1, 3], values: [1, 2, 3], version }));
      expect(Array.from(loadDataset(file).inputs)).toEqual([1, 2, 3]);
    });
  }

  it('keeps the per-sample shape and takes the first axis as samples', () => {
    const values = Array.from({ length: 2 * 1 * 2 * 3 }, (_, i) => i);
    const file = writeFile(temp('nchw.npy'), npyBytes({ descr: '<u1', shape: [2, 1, 2, 3], values }));
    const data = loadDataset(file, { limit: 1 });
    expect(data).toMatchObject({ samples: 1, features: 6, shape: [1, 2, 3] });
    expect(Array.from(data.inputs)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reads a 1-D array as one value per sample', () => {
    const file = writeFile(temp('vector.npy'), npyBytes({ descr: '<i4', shape: [3], values: [4, 5, 6] }));
    expect(loadDataset(file)).toMatchObject({ samples: 3, features: 1, shape: [] });
  });

  it('accepts Python 2 long shapes like (2L, 2L)', () => {
    const headerText = "{'descr': '|u1', 'fortran_order': False, 'shape': (2L, 2L), }";
    const file = writeFile(temp('py2.npy'), npyBytes({ descr: '|u1', shape: [2, 2], values: [1, 2, 3, 4], headerText }));
    expect(loadDataset(file).features).toBe(2);
  });

  it('reads a gzipped .npy.gz', () => {
    const file = writeFile(temp('packed.npy.gz'), gzipSync(npyBytes({ descr: '>i2', shape: [1, 2], values: [-7, 7] })));
    expect(Array.from(loadDataset(file).inputs)).toEqual([-7, 7]);
  });
});

describe('.npy errors', () => {
  it('rejects Fortran order with a fix', () => {
    const file = writeFile(temp('fortran.npy'), npyBytes({ descr: '<f4', shape: [2, 2], values: [1, 2, 3, 4], fortranOrder: true }));
    const error = expectBnncError(() => loadDataset(file), file, 'Fortran');
    expect(error.context.hint).toContain('ascontiguousarray');
  });

  for (const descr of ['<f2', '|O', '<U5', '<c8']) {
    it(`rejects unsupported dtype ${descr} and lists the supported ones`, () => {
      const file = writeFile(temp(`unsupported-${descr.slice(1)}.npy`), npyBytes({ descr, shape: [1, 1], payload: new Uint8Array(20) }));
      expectBnncError(() => loadDataset(file), file, `unsupported dtype '${descr}'`, '<f4');
    });
  }

  it('rejects structured dtypes', () => {
    const headerText = "{'descr': [('x', '<f4'), ('y', '<i8')], 'fortran_order': False, 'shape': (1,), }";
    const file = writeFile(temp('record.npy'), npyBytes({ descr: '<f4', shape: [1], payload: new Uint8Array(12), headerText }));
    expectBnncError(() => loadDataset(file), file, 'structured');
  });

  it('rejects a header without shape', () => {
    const headerText = "{'descr': '<f4', 'fortran_order': False, }";
    const file = writeFile(temp('noshape.npy'), npyBytes({ descr: '<f4', shape: [], payload: new Uint8Array(0), headerText }));
    expectBnncError(() => loadDataset(file), file, "no readable 'shape'");
  });

  it('rejects truncated data, naming the byte counts', () => {
    const bytes = npyBytes({ descr: '<f4', shape: [3, 2], values: [1, 2, 3, 4, 5, 6] });
    const file = writeFile(temp('truncated.npy'), bytes.subarray(0, bytes.length - 3));
    expectBnncError(() => loadDataset(file), file, 'truncated', '24 bytes', 'only 21');
  });

  it('rejects a file cut off inside the header', () => {
    const file = writeFile(temp('cut-header.npy'), npyBytes({ descr: '<f4', shape: [1, 1], values: [1] }).subarray(0, 40));
    expectBnncError(() => loadDataset(file), file, 'truncated inside the .npy header');
  });

  it('rejects a file that is not .npy', () => {
    const file = writeFile(temp('text.npy'), '1,2,3\n');
    expectBnncError(() => loadDataset(file), file, 'not a NumPy .npy file');
  });

  it('rejects unknown format versions', () => {
    const bytes = npyBytes({ descr: '<f4', shape: [1, 1], values: [1] });
    bytes[6] = 9;
    const file = writeFile(temp('v9.npy'), bytes);
    expectBnncError(() => loadDataset(file), file, 'unsupported .npy format version 9');
  });

  it('rejects a scalar array', () => {
    const file = writeFile(temp('scalar.npy'), npyBytes({ descr: '<f8', shape: [], values: [1] }));
    expectBnncError(() => loadDataset(file), file, 'single number');
  });

  it('rejects an empty array', () => {
    const file = writeFile(temp('empty.npy'), npyBytes({ descr: '<f4', shape: [0, 784], values: [] }));
    expectBnncError(() => loadDataset(file), file, 'empty', '(0, 784)');
  });
});
