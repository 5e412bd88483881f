/**
 * Every op's members agree with its emulator on real lowered models: the arena
 * bytes it declares are the bytes it writes, its output shape packs to those
 * words, and the accumulator verify explains differences with decides the
 * emulated bit through the op's threshold.
 */
import { describe, expect, it } from 'vitest';
import { packedWords } from '../../src/bitops.ts';
import { emulate } from '../../src/emulator/index.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import type { LoweredModel } from '../../src/ir/types.ts';
import { layerAccumulator, opFor } from '../../src/ops/registry.ts';
import { runPasses } from '../../src/passes/index.ts';
import { binaryCnn, binaryMlp, rng } from '../helpers/onnxBuilder.ts';

const models: [string, Uint8Array][] = [
  ['uint8 cnn, pool before and after', binaryCnn({ input: [1, 8, 8], convs: [{ out: 6, kernel: 3, pads: 1, poolBefore: true }, { out: 40, kernel: 3, pads: 1, poolAfter: true }], dense: [7, 3], seed: 3, inputType: 'uint8' })],
  ['binarized cnn', binaryCnn({ input: [1, 6, 6], convs: [{ out: 5, kernel: 3, stride: 2 }], dense: [4], seed: 4, inputType: 'binarized' })],
  ['uint8 mlp', binaryMlp({ input: 'uint8', widths: [50, 33, 9, 3], seed: 5 })],
  ['single uint8 layer', binaryMlp({ input: 'uint8', widths: [20, 4], seed: 6 })],
];

function sample(model: LoweredModel, seed: number): number[] {
  const next = rng(seed);
  return Array.from({ length: model.input.features }, () => (model.input.dtype === 'float32' ? next() : Math.floor(next() * 256)));
}

describe.each(models)('%s', (_name, onnx) => {
  const model = runPasses(importOnnx('m.onnx', {}, onnx));

  it('declares the arena bytes and shape it writes', () => {
    const result = emulate(model, sample(model, 1));
    model.layers.forEach((layer, l) => {
      const op = opFor(layer);
      if (op.output === 'scores') {
        expect(op.outputBytes(layer)).toBe(0);
        expect(result.scores.length).toBe(model.classes);
        return;
      }
      const [h, w, c] = op.outputShape(layer);
      expect(result.activations[l].length * 4, layer.kind).toBe(op.outputBytes(layer));
      expect(packedWords(h * w * c, c) * 4, layer.kind).toBe(op.outputBytes(layer));
    });
  });

  it('its accumulator and threshold give the emulated bits', () => {
    for (let s = 0; s < 3; s++) {
      const input = sample(model, 10 + s);
      const result = emulate(model, input);
      let layerInput: ArrayLike<number> = input;
      model.layers.slice(0, -1).forEach((layer, l) => {
        const bits = result.activations[l];
        const read = layerInput;
        layerInput = bits;
        if (!opFor(layer).accumulator || !('threshold' in layer)) return;
        const [h, w, c] = opFor(layer).outputShape(layer);
        for (let f = 0; f < h * w * c; f++) {
          const ch = f % c;
          const acc = layerAccumulator(layer, read, f);
          // dense_b1 thresholds the popcount (bit = pop > T), the others the signed sum (bit = acc < T); bit 1 = -1.
          const below = layer.kind === 'dense_b1' ? acc > layer.threshold[ch] : acc < layer.threshold[ch];
          const expected = (below ? 1 : 0) ^ layer.flip[ch];
          const word = bits[Math.floor(f / c) * packedWords(c, c) + (ch >>> 5)];
          expect((word >>> (ch & 31)) & 1, `${layer.kind} feature ${f}`).toBe(expected);
        }
      });
    }
  });
});
