/**
 * The real data files vendored in the repository (datasets/, examples/peer-models/;
 * paths relative to the repository root, which is the cwd when tests run).
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/index.ts';

const MNIST_TEST = 'datasets/mnist-test';
const FINN_INPUT = 'examples/peer-models/finn-tfc-w1a1/input.npy';
const DIGITS_CSV = 'datasets/sklearn-digits/digits.csv.gz';

describe('vendored data sets', () => {
  it('loads the MNIST test set (IDX folder, gzipped) with labels', () => {
    const started = performance.now();
    const data = loadDataset(MNIST_TEST);
    const elapsed = performance.now() - started;
    expect(data).toMatchObject({ samples: 10_000, features: 784, shape: [28, 28] });
    expect(data.labels).toHaveLength(10_000);
    expect(Array.from(data.labels!.subarray(0, 4))).toEqual([7, 2, 1, 0]);
    expect(Math.max(...data.inputs.subarray(0, 784))).toBe(255);
    expect(elapsed).toBeLessThan(1000);
  });

  it('loads the FINN TFC input.npy: <f4, shape (4, 1, 28, 28), the first four MNIST test images', () => {
    const finn = loadDataset(FINN_INPUT);
    expect(finn).toMatchObject({ samples: 4, features: 784, shape: [1, 28, 28], labels: null });
    const mnist = loadDataset(MNIST_TEST, { limit: 4 });
    expect(Array.from(finn.inputs)).toEqual(Array.from(mnist.inputs));
  });

  it('loads the sklearn digits CSV (no header) as 65 input columns and no labels', () => {
    // The file has 64 pixel columns (0..16) plus the class as column 65, but no
    // header row, so by the documented rule nothing marks the last column as labels.
    const data = loadDataset(DIGITS_CSV);
    expect(data).toMatchObject({ samples: 1797, features: 65, labels: null });
    expect(data.inputs[64]).toBe(0); // class of the first digit
  });
});
