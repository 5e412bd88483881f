import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/index.ts';
import { expectBnncError, npyBytes, useTempDir, writeFile } from './fixtures.ts';

const temp = useTempDir();

const INPUTS = npyBytes({ descr: '<f4', shape: [3, 2], values: [0, 255, 51, 102, 1, 2] });
const LABELS = npyBytes({ descr: '<i8', shape: [3], values: [9, 0, 4] });

describe('.npz', () => {
  for (const [kind, level] of [['stored (np.savez)', 0], ['deflated (np.savez_compressed)', 6]] as const) {
    it(`reads inputs and labels from a ${kind} archive, ignoring other arrays`, () => {
      const archive = zipSync({ 'inputs.npy': INPUTS, 'labels.npy': LABELS, 'mean.npy': npyBytes({ descr: '<f8', shape: [1], values: [0.5] }) }, { level });
      const file = writeFile(temp(`data-${level}.npz`), archive);
      const data = loadDataset(file, { scale: 1 / 255, offset: -0.5 });
      expect(data).toMatchObject({ samples: 3, features: 2, shape: [2] });
      expect(data.inputs[0]).toBeCloseTo(-0.5, 12);
      expect(data.inputs[1]).toBeCloseTo(0.5, 12);
      expect(data.inputs[2]).toBeCloseTo(-0.3, 12);
      expect(Array.from(data.labels!)).toEqual([9, 0, 4]);
    });
  }

  it('accepts labels shaped (N, 1) and applies the limit to them', () => {
    const labels = npyBytes({ descr: '|u1', shape: [3, 1], values: [1, 2, 3] });
    const file = writeFile(temp('column-labels.npz'), zipSync({ 'inputs.npy': INPUTS, 'labels.npy': labels }));
    expect(Array.from(loadDataset(file, { limit: 2 }).labels!)).toEqual([1, 2]);
  });

  it('has no labels when the archive has only inputs', () => {
    const file = writeFile(temp('inputs-only.npz'), zipSync({ 'inputs.npy': INPUTS }));
    expect(loadDataset(file).labels).toBeNull();
  });

  it('names the arrays it found when inputs is missing', () => {
    const file = writeFile(temp('arr0.npz'), zipSync({ 'arr_0.npy': INPUTS, 'y.npy': LABELS }));
    const error = expectBnncError(() => loadDataset(file), file, "no 'inputs' array", 'arr_0, y');
    expect(error.context.hint).toContain('np.savez(path, inputs=x, labels=y)');
  });

  it('rejects a labels count that does not match the inputs', () => {
    const labels = npyBytes({ descr: '<i8', shape: [2], values: [1, 2] });
    const file = writeFile(temp('mismatch.npz'), zipSync({ 'inputs.npy': INPUTS, 'labels.npy': labels }));
    expectBnncError(() => loadDataset(file), file, 'labels', '3 samples but 2 labels');
  });

  it('rejects labels with more than one value per sample', () => {
    const labels = npyBytes({ descr: '<i8', shape: [3, 2], values: [1, 2, 3, 4, 5, 6] });
    const file = writeFile(temp('onehot.npz'), zipSync({ 'inputs.npy': INPUTS, 'labels.npy': labels }));
    expectBnncError(() => loadDataset(file), file, 'labels have shape (3, 2)');
  });

  it('rejects non-integer labels, naming the sample', () => {
    const labels = npyBytes({ descr: '<f4', shape: [3], values: [1, 2.5, 3] });
    const file = writeFile(temp('float-labels.npz'), zipSync({ 'inputs.npy': INPUTS, 'labels.npy': labels }));
    expectBnncError(() => loadDataset(file), file, 'sample 1', 'label 2.5 is not an integer');
  });

  it('names the member when an array inside is bad', () => {
    const bad = npyBytes({ descr: '<f2', shape: [1, 1], payload: new Uint8Array(2) });
    const file = writeFile(temp('bad-member.npz'), zipSync({ 'inputs.npy': bad }));
    expectBnncError(() => loadDataset(file), file, "array 'inputs'", "unsupported dtype '<f2'");
  });

  it('rejects a file that is not a zip', () => {
    const file = writeFile(temp('not-zip.npz'), INPUTS);
    expectBnncError(() => loadDataset(file), file, 'cannot read the archive');
  });

  it('rejects a truncated archive', () => {
    const archive = zipSync({ 'inputs.npy': INPUTS });
    const file = writeFile(temp('cut.npz'), archive.subarray(0, archive.length - 30));
    expectBnncError(() => loadDataset(file), file, 'cannot read the archive');
  });
});
