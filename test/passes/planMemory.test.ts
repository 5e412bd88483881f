/**
 * The activation arena: for every layer, its input, output and scratch lie
 * inside the arena and never overlap, each layer reads what the previous one
 * wrote, and the arena equals the lower bound max_i(in_i + out_i + scratch_i).
 */
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import type { LoweredModel } from '../../src/ir/types.ts';
import { runPasses } from '../../src/passes/index.ts';
import { binaryCnn, binaryMlp, rng, type ConvSpec } from '../helpers/onnxBuilder.ts';

function checkPlan(model: LoweredModel): void {
  const { arenaBytes, lowerBoundBytes, layers } = model.memory;
  const bound = Math.max(0, ...layers.map((l) => (l.inputOffset >= 0 ? l.inputBytes : 0) + (l.outputOffset >= 0 ? l.outputBytes : 0) + l.scratchBytes));
  expect(arenaBytes).toBe(bound);
  expect(lowerBoundBytes).toBe(bound);
  layers.forEach((l, i) => {
    const regions = [
      [l.inputOffset, l.inputBytes], [l.outputOffset, l.outputBytes], [l.scratchOffset, l.scratchBytes],
    ].filter(([off, size]) => off >= 0 && size > 0);
    for (const [off, size] of regions) {
      expect(off % 4, `layer ${i}: word aligned`).toBe(0);
      expect(off + size, `layer ${i} inside the arena`).toBeLessThanOrEqual(arenaBytes);
    }
    for (let a = 0; a < regions.length; a++) {
      for (let b = a + 1; b < regions.length; b++) {
        const [oa, sa] = regions[a];
        const [ob, sb] = regions[b];
        expect(oa + sa <= ob || ob + sb <= oa, `layer ${i}: regions ${a} and ${b} overlap`).toBe(true);
      }
    }
    if (i > 0 && layers[i - 1].outputOffset >= 0) expect(l.inputOffset).toBe(layers[i - 1].outputOffset);
  });
}

describe('planMemory', () => {
  it('dense networks with an integer first layer (bit-plane scratch)', () => {
    checkPlan(runPasses(importOnnx('m.onnx', {}, binaryMlp({ widths: [784, 512, 256, 10], seed: 1, input: 'uint8' }))));
    checkPlan(runPasses(importOnnx('m.onnx', {}, binaryMlp({ widths: [33, 1, 100, 31, 4], seed: 2, input: 'binarized' }))));
  });

  it('random convolutional networks (conv scratch on both ends of the arena)', () => {
    const next = rng(77);
    for (let n = 0; n < 25; n++) {
      const convs: ConvSpec[] = Array.from({ length: 1 + Math.floor(next() * 4) }, () => ({
        out: 1 + Math.floor(next() * 40), kernel: 1 + 2 * Math.floor(next() * 2), pads: 1, poolBefore: next() < 0.2,
      }));
      const bytes = binaryCnn({ input: [1, 12, 12], convs, dense: [1 + Math.floor(next() * 20), 3], seed: n, inputType: next() < 0.5 ? 'uint8' : 'binarized' });
      checkPlan(runPasses(importOnnx('c.onnx', {}, bytes)));
    }
  });
});
