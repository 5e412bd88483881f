/** The op registry: one op per lowered kind, each with its call template, and an unknown kind fails loudly everywhere. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emulate } from '../../src/emulator/index.ts';
import type { LoweredLayer, LoweredModel } from '../../src/ir/types.ts';
import { float32ThresholdKey } from '../../src/bitops.ts';
import { denseF32B1Layer } from '../../src/ops/dense_f32_b1/index.ts';
import { maxpoolB1Layer } from '../../src/ops/maxpool_b1/index.ts';
import { LOWERED_KINDS, LOWERED_OPS, opFor } from '../../src/ops/registry.ts';
import { planMemory } from '../../src/passes/planMemory.ts';

const TEMPLATES = new URL('../../templates/c/calls/', import.meta.url);

describe('src/ops/registry.ts', () => {
  it('lists every lowered kind once, each with its call template', () => {
    expect(new Set(LOWERED_KINDS).size).toBe(LOWERED_KINDS.length);
    expect([...LOWERED_KINDS].sort()).toEqual([
      'binarize_input', 'conv2d_b1', 'conv2d_f32_b1', 'conv2d_grouped_b1', 'conv2d_int_b1', 'dense_b1', 'dense_b1_scores', 'dense_f32_b1', 'dense_int_b1', 'dense_int_scores', 'maxpool_b1',
    ]);
    for (const op of LOWERED_OPS) expect(existsSync(new URL(`${op.kind}.hbs`, TEMPLATES)), op.kind).toBe(true);
  });

  it('only scores ops write to the caller (no arena output), and only they give the raw dot', () => {
    for (const op of LOWERED_OPS) expect(op.rawDot !== undefined, op.kind).toBe(op.output === 'scores');
  });

  it('an unknown kind is an internal error naming the kind, in the registry, the emulator and the planner', () => {
    const stranger = { kind: 'depthwise_b1', name: 'dw', sources: [] } as unknown as LoweredLayer;
    expect(() => opFor(stranger)).toThrow(/bnnc internal error: no lowered op "depthwise_b1".*layer "dw"/);
    const pool = maxpoolB1Layer({ name: 'pool', sources: [], inShape: [2, 2, 1], outShape: [1, 1, 1], kernel: [2, 2], stride: [2, 2], pads: [0, 0, 0, 0] });
    const model = { name: 'm', input: { name: 'x', shape: [1, 2, 2], features: 4, dtype: 'float32' }, classes: 1, layers: [pool, stranger] } as unknown as LoweredModel;
    expect(() => emulate(model, new Uint32Array(1))).toThrow(/no lowered op "depthwise_b1"/);
    expect(() => planMemory.run(model)).toThrow(/"depthwise_b1" layer left after lowering/);
  });
});

describe('maxpool_b1', () => {
  it('is the AND of the window bits per channel (max of +-1, bit 1 = -1), packed per pixel', () => {
    // 4x4 pixels, 3 channels; a 2x2 window with stride 2. One word per pixel: channel c is bit c.
    const input = Uint32Array.from({ length: 16 }, (_, p) => (p * 5 + 3) % 8);
    const layer = maxpoolB1Layer({ name: 'pool', sources: [], inShape: [4, 4, 3], outShape: [2, 2, 3], kernel: [2, 2], stride: [2, 2], pads: [0, 0, 0, 0] });
    const out = opFor(layer).emulate(layer, input, {} as LoweredModel);
    for (let py = 0; py < 2; py++) {
      for (let px = 0; px < 2; px++) {
        const window = [0, 1, 4, 5].map((d) => input[py * 8 + px * 2 + d]);
        expect(out[py * 2 + px]).toBe(window.reduce((a, b) => a & b));
      }
    }
    expect(opFor(layer).outputBytes(layer)).toBe(16);
    expect(opFor(layer).referenceSign).toBe(false);
  });

  it('overlapping and padded (3x3, stride 2, pad 1): a padded position acts as -1 (bit 1) and never wins', () => {
    // 1 channel on a 3x3 input; output 2x2. Each window ANDs only its real pixels.
    const input = Uint32Array.from([1, 1, 0, 1, 1, 1, 0, 1, 1]);
    const layer = maxpoolB1Layer({ name: 'pool', sources: [], inShape: [3, 3, 1], outShape: [2, 2, 1], kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1] });
    const out = opFor(layer).emulate(layer, input, {} as LoweredModel);
    const window = (py: number, px: number) => {
      let all = 1;
      for (let y = 2 * py - 1; y <= 2 * py + 1; y++) for (let x = 2 * px - 1; x <= 2 * px + 1; x++) {
        if (y >= 0 && y < 3 && x >= 0 && x < 3) all &= input[y * 3 + x];
      }
      return all;
    };
    expect(Array.from(out)).toEqual([window(0, 0), window(0, 1), window(1, 0), window(1, 1)]);
    // The top-left window sees pixels (0,0), (0,1), (1,0), (1,1), all -1: -1, although 5 of its 9 positions are padding.
    expect(out[0]).toBe(1);
    expect(out[1]).toBe(0);
    expect(opFor(layer).kernelLimits(layer, {} as never).every((l) => l.value <= l.max)).toBe(true);
  });
});

describe('dense_f32_b1', () => {
  it('sums +-x in float32 in input order and compares the sum\'s order key with the threshold key', () => {
    // 3 inputs whose sum depends on the order: 1e8 - 1e8 + 1 = 1, but 1e8 + 1 rounds to 1e8 in float32.
    const x = [1e8, 1e8, 1];
    const weights = Uint32Array.of(0b010, 0b000); // row 0: +x0 -x1 +x2; row 1: all +
    const threshold = Uint32Array.of(float32ThresholdKey(0.5), float32ThresholdKey(2e8));
    const layer = denseF32B1Layer({ name: 'fc', sources: [], inFeatures: 3, outFeatures: 2, weights, threshold, flip: Uint8Array.of(0, 1), bias: null, chain: [] });
    const op = opFor(layer);
    expect(op.accumulator!(layer, x, 0)).toBe(1); // (1e8 - 1e8) + 1
    expect(op.accumulator!(layer, x, 1)).toBe(Math.fround(2e8));
    // row 0: 1 < 0.5 is false -> bit 0; row 1: 2e8 < 2e8 is false, flipped -> bit 1
    expect(Array.from(op.emulate(layer, x, {} as LoweredModel) as Uint32Array)).toEqual([0b10]);
    expect(op.outputBytes(layer)).toBe(4);
    expect(op.referenceSign).toBe(true);
  });

  it('explains a difference only within the two float32 sums\' distance of the boundary and with the reference\'s value near 0', () => {
    // All weights +1, boundary at acc = 1: bit 1 (-1) below it.
    const layer = denseF32B1Layer({
      name: 'fc', sources: [], inFeatures: 3, outFeatures: 1, weights: Uint32Array.of(0), threshold: Uint32Array.of(float32ThresholdKey(1)),
      flip: Uint8Array.of(0), bias: null, chain: [],
    });
    const op = opFor(layer);
    const atBoundary = [0.5, 0.25, 0.25]; // acc = 1 exactly; the two sums may differ by 2 * gamma_4 * 1 ~ 4.8e-7
    expect(op.withinReferenceRounding(layer, 0, atBoundary)).toBe(true);
    const slack = op.referenceSlackAt!(layer, 0, atBoundary);
    expect(slack).toBeGreaterThan(4e-7);
    expect(slack).toBeLessThan(1e-6); // a reference value of 0.01 at the sign is clearly signed: unexplained
    expect(op.withinReferenceRounding(layer, 0, [0.5, 0.25, 0.2500001])).toBe(true); // one float above: within it
    expect(op.withinReferenceRounding(layer, 0, [0.5, 0.25, 0.251])).toBe(false); // 1.001 is beyond it
  });
});
