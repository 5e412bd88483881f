/** BNNC_FAULT parsing and application (src/verify/faults.ts): exact effects, clear errors. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerAccumulator } from '../../src/ops/registry.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import type { Conv2dB1Layer, DenseB1Layer } from '../../src/ir/types.ts';
import { runPasses } from '../../src/passes/index.ts';
import { applyFault, faultFromEnvironment, parseFault } from '../../src/verify/faults.ts';
import { binaryCnn, rng } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-faults-'));

function cnn() {
  const path = join(dir, 'cnn.onnx');
  writeFileSync(path, binaryCnn({ input: [3, 6, 6], convs: [{ out: 5, kernel: 3, pads: 1 }, { out: 40, kernel: 3, pads: 1 }], dense: [12, 4], seed: 2, inputType: 'binarized' }));
  return runPasses(importOnnx(path));
}

describe('parseFault', () => {
  it('reads the three forms; the layer name may contain ":"', () => {
    expect(parseFault('threshold:fc2:3:-7')).toEqual({ kind: 'threshold', layer: 'fc2', channel: 3, delta: -7 });
    expect(parseFault('flip:/conv1/Conv:0')).toEqual({ kind: 'flip', layer: '/conv1/Conv', channel: 0 });
    expect(parseFault('weight:a:b:2:17')).toEqual({ kind: 'weight', layer: 'a:b', channel: 2, index: 17 });
  });

  it('malformed values are errors naming BNNC_FAULT and the forms', () => {
    for (const [text, why] of [['threshold:fc2:3', /expected 4 fields/], ['flip:fc1:-1', /channel "-1" is not a non-negative integer/],
      ['threshold:fc2:1:0', /a delta of 0 is no fault/], ['weight:fc1:1:x', /weight index "x"/], ['bits:fc1:1', /unknown fault kind "bits"/],
      ['flip::1', /empty layer/], ['threshold:fc1:1:1.5', /delta "1.5" is not an integer/]] as const) {
      expect(() => parseFault(text), text).toThrow(why);
      expect(() => parseFault(text), text).toThrow(/BNNC_FAULT: malformed fault[\s\S]*expected: threshold:<layer>:<channel>:<delta>/);
    }
  });

  it('unset or empty: no fault', () => {
    expect(faultFromEnvironment({})).toBeNull();
    expect(faultFromEnvironment({ BNNC_FAULT: '' })).toBeNull();
    expect(faultFromEnvironment({ BNNC_FAULT: 'flip:0:1' })).toEqual({ kind: 'flip', layer: '0', channel: 1 });
  });
});

describe('applyFault', () => {
  const model = cnn();

  it('changes exactly the named value and leaves the original model alone', () => {
    const dense = model.layers.findIndex((l) => l.kind === 'dense_b1');
    const before = model.layers[dense] as DenseB1Layer;
    const t = applyFault(model, { kind: 'threshold', layer: before.name, channel: 7, delta: 3 }).layers[dense] as DenseB1Layer;
    expect(t.threshold[7]).toBe(before.threshold[7] + 3);
    expect(Array.from(t.threshold).filter((v, i) => v !== before.threshold[i])).toHaveLength(1);
    const f = applyFault(model, { kind: 'flip', layer: String(dense), channel: 7 }).layers[dense] as DenseB1Layer;
    expect(f.flip[7]).toBe(before.flip[7] ^ 1);
    expect((model.layers[dense] as DenseB1Layer).flip[7]).toBe(before.flip[7]);
  });

  it('a weight fault negates weight (ky, kx, c) of one conv channel: that tap changes the dot by -2 x w', () => {
    const index = model.layers.map((l) => l.kind).lastIndexOf('conv2d_b1');
    const conv = model.layers[index] as Conv2dB1Layer;
    const c = conv.inShape[2];
    const next = rng(4);
    const input = Uint32Array.from({ length: conv.inShape[0] * conv.inShape[1] }, () => Math.floor(next() * 2 ** c));
    const [ky, kx, ch, o] = [1, 2, 3, 38];
    const faulty = applyFault(model, { kind: 'weight', layer: conv.name, channel: o, index: (ky * conv.kernel[1] + kx) * c + ch }).layers[index] as Conv2dB1Layer;
    // Output position (2, 2) reads input pixel (2 - 1 + ky, 2 - 1 + kx) = (2, 3) at that tap.
    const x = (input[2 * conv.inShape[1] + 3] >>> ch) & 1 ? -1 : 1;
    const weightBefore = (conv.weights[o * 9 + ky * 3 + kx] >>> ch) & 1 ? -1 : 1;
    // The accumulator of channel `channel` at output pixel (2, 2).
    const dot = (l: Conv2dB1Layer, channel: number) => layerAccumulator(l, input, (2 * l.outShape[1] + 2) * l.outShape[2] + channel);
    expect(dot(faulty, o) - dot(conv, o)).toBe(-2 * x * weightBefore);
    expect(dot(faulty, o - 1)).toBe(dot(conv, o - 1));
  });

  it('errors name the layer and what exists', () => {
    expect(() => applyFault(model, { kind: 'flip', layer: 'nope', channel: 0 })).toThrow(/no lowered layer "nope"[\s\S]*expected: a layer name or index: 0 "/);
    expect(() => applyFault(model, { kind: 'flip', layer: '1', channel: 99 })).toThrow(/channel 99 does not exist[\s\S]*\[0, 4\]/);
    expect(() => applyFault(model, { kind: 'weight', layer: '1', channel: 0, index: 27 })).toThrow(/weight index 27 is outside the row[\s\S]*\[0, 26\]/);
    const scores = String(model.layers.length - 1);
    expect(() => applyFault(model, { kind: 'threshold', layer: scores, channel: 0, delta: 1 })).toThrow(/dense_b1_scores has no thresholds/);
    expect(() => applyFault(model, { kind: 'threshold', layer: String(model.layers.findIndex((l) => l.kind === 'dense_b1')), channel: 0, delta: 2 ** 40 })).toThrow(/leaves the kernel's range[\s\S]*\[-2147483648, 2147483647\]/);
  });
});
