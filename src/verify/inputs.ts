/** Data set values -> the device input type, and the self-test vectors. */
import type { Dataset } from '../data/index.ts';
import { BnncError } from '../errors.ts';
import type { LoweredModel } from '../ir/types.ts';
import { deviceInputOrder } from '../ops/registry.ts';

const RANGES = { uint8: [0, 255], int8: [-128, 127] } as const;

/**
 * One array of device input values per sample, in the device's order; integer
 * inputs must be exact integers in range. Data sets hold the source model's
 * order (NCHW for ONNX); a multi-channel image is HWC on the device, so its
 * values are reordered here (deviceInputOrder), after --data-scale/--data-offset.
 */
export function deviceInputs(model: LoweredModel, data: Dataset): number[][] {
  const order = deviceInputOrder(model);
  const rows = checkedInputs(model, data);
  return order ? rows.map((row) => Array.from(order, (i) => row[i])) : rows;
}

function checkedInputs(model: LoweredModel, data: Dataset): number[][] {
  const n = model.input.features;
  const dtype = model.input.dtype;
  const rows: number[][] = [];
  for (let s = 0; s < data.samples; s++) {
    const row: number[] = new Array(n);
    for (let i = 0; i < n; i++) row[i] = data.inputs[s * n + i];
    if (dtype === 'float32') {
      for (let i = 0; i < n; i++) row[i] = Math.fround(row[i]);
      rows.push(row);
      continue;
    }
    const [lo, hi] = RANGES[dtype];
    let bad = -1;
    for (let i = 0; i < n && bad < 0; i++) if (!Number.isInteger(row[i]) || row[i] < lo || row[i] > hi) bad = i;
    if (bad >= 0) {
      throw new BnncError(`sample ${s}, value ${bad} is ${row[bad]}, which is not a ${dtype} (${lo}..${hi})`, {
        file: data.source,
        expected: `integer ${dtype} inputs, as the model declares`,
        hint: 'map the stored values with --data-scale/--data-offset (e.g. --data-scale 255 for data in [0, 1])',
      });
    }
    rows.push(row);
  }
  return rows;
}

/** The self-test embeds the first few samples (enough to cover several classes, small in flash). */
export const SELFTEST_VECTORS = 4;

export function selftestVectors(inputs: number[][]): number[][] {
  return inputs.slice(0, SELFTEST_VECTORS);
}
