/** The per-channel accumulator used to explain reference differences equals the emulator's, also after a convolution (NHWC packing). */
import { describe, expect, it } from 'vitest';
import { layerAccumulator } from '../../src/emulator/accumulators.ts';
import { popcounts } from '../../src/emulator/ops/denseB1.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';
import { binaryCnn, rng } from '../helpers/onnxBuilder.ts';

describe('layerAccumulator', () => {
  it('matches popcounts for a dense layer reading a conv output packed per pixel', () => {
    const model = runPasses(importOnnx('c.onnx', {}, binaryCnn({ input: [1, 5, 5], convs: [{ out: 40, kernel: 3, pads: 1 }], dense: [9, 3], seed: 5, inputType: 'uint8' })));
    const dense = model.layers[1];
    if (dense.kind !== 'dense_b1') throw new Error(`unexpected ${dense.kind}`);
    expect(dense.inGroup).toBe(40);
    const next = rng(8);
    const x = Uint32Array.from({ length: 25 * 2 }, (_, i) => (i % 2 === 1 ? (next() * 256) >>> 0 : (next() * 2 ** 32) >>> 0));
    const pops = popcounts(x, dense.weights, dense.inFeatures, dense.outFeatures, dense.inGroup);
    for (let o = 0; o < dense.outFeatures; o++) expect(layerAccumulator(dense, x, o)).toBe(pops[o]);
  });
});
