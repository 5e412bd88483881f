/**
 * The per-channel accumulators that explain reference differences, checked
 * against plain arithmetic on +-1 and integer values: the weights come from the
 * float model before lowering (never from the packed words), the input is
 * packed here by hand from the documented layout, and the expected values are
 * sums of products. A broken popcount, packing or row offset fails this test.
 */
import { describe, expect, it } from 'vitest';
import { layerAccumulator } from '../../src/ops/registry.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import type { DenseLayer, Model } from '../../src/ir/types.ts';
import { runPasses } from '../../src/passes/index.ts';
import { binaryCnn, binaryMlp, rng } from '../helpers/onnxBuilder.ts';

/** The float dense layers of the imported model, in order (weights row-major [out][in], already in bnnc's NHWC order). */
function floatDense(model: Model): DenseLayer[] {
  return model.layers.filter((l): l is DenseLayer => l.kind === 'dense');
}

describe('layerAccumulator', () => {
  it('dense_b1 after a convolution: popcount(x ^ w) = (n - sum x*w) / 2 over +-1 values packed per pixel', () => {
    const onnx = binaryCnn({ input: [1, 5, 5], convs: [{ out: 40, kernel: 3, pads: 1 }], dense: [9, 3], seed: 5, inputType: 'uint8' });
    const float = floatDense(importOnnx('c.onnx', {}, onnx))[0];
    const dense = runPasses(importOnnx('c.onnx', {}, onnx)).layers[1];
    if (dense.kind !== 'dense_b1') throw new Error(`unexpected ${dense.kind}`);
    const [pixels, channels] = [25, 40];
    expect(dense.inGroup).toBe(channels);
    const next = rng(8);
    for (let trial = 0; trial < 4; trial++) {
      // +-1 activations in NHWC order; packed two words per pixel (40 channels), bit 1 = -1, unused bits 0.
      const x = Array.from({ length: pixels * channels }, () => (next() < 0.5 ? -1 : 1));
      const packed = new Uint32Array(pixels * 2);
      x.forEach((v, f) => {
        const p = Math.floor(f / channels);
        const c = f % channels;
        if (v === -1) packed[p * 2 + (c >> 5)] |= 2 ** (c & 31);
      });
      for (let o = 0; o < dense.outFeatures; o++) {
        let dot = 0;
        for (let f = 0; f < pixels * channels; f++) dot += x[f] * float.weight[o * float.inFeatures + f];
        expect(layerAccumulator(dense, packed, o)).toBe((pixels * channels - dot) / 2);
      }
    }
  });

  it('dense_int_b1: the integer sum of w*x over uint8 inputs', () => {
    const onnx = binaryMlp({ input: 'uint8', widths: [37, 6, 3], seed: 11 });
    const float = floatDense(importOnnx('m.onnx', {}, onnx))[0];
    const dense = runPasses(importOnnx('m.onnx', {}, onnx)).layers[0];
    if (dense.kind !== 'dense_int_b1') throw new Error(`unexpected ${dense.kind}`);
    const next = rng(3);
    const x = Array.from({ length: 37 }, () => Math.floor(next() * 256));
    for (let o = 0; o < dense.outFeatures; o++) {
      let sum = 0;
      for (let i = 0; i < 37; i++) sum += float.weight[o * 37 + i] * x[i];
      expect(layerAccumulator(dense, x, o)).toBe(sum);
    }
  });
});
