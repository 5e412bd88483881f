/**
 * Threshold folding, checked exhaustively per channel: for every reachable
 * accumulator value, the folded (T, flip) must give the same bit as the float32
 * chain evaluated directly (dense sum -> batch-norm in onnxruntime's order ->
 * sign, sign(0) = +1), including negative and zero gamma and variances that
 * the epsilon dominates.
 */
import { describe, expect, it } from 'vitest';
import { binaryThresholdBit, integerThresholdBit } from '../../src/bitops.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import type { Model } from '../../src/ir/types.ts';
import { runPasses } from '../../src/passes/index.ts';
import { decodeTensor, readModelProto } from '../../src/importers/onnx/proto.ts';
import { binaryMlp } from '../helpers/onnxBuilder.ts';

const f32 = Math.fround;

/** onnxruntime's BatchNormalization in float32, written out independently of the importer. */
function bnFloat(x: number, g: number, b: number, m: number, v: number, eps: number): number {
  const inv = f32(g / f32(Math.sqrt(f32(v + f32(eps)))));
  return f32(f32(x * inv) + f32(b - f32(m * inv)));
}

function weird(layer: number, c: number, next: () => number): [number, number, number, number] {
  switch (c % 6) {
    case 0: return [-(next() + 0.1), next() - 0.5, next() * 4 - 2, next() * 10 + 0.01]; // negative gamma: flip
    case 1: return [0, next() - 0.5, 0, 1]; // zero gamma: constant channel
    case 2: return [next(), next() * 1e-3, 0.5, 0]; // zero variance: eps dominates
    case 3: return [1e-3, next(), 1, 1e-9]; // tiny gamma and variance
    case 4: return [next() + 0.5, 0, 0, 1]; // threshold exactly at dot = 0: sign(0) matters
    default: return [next() * 2 - 1, next() * 8 - 4, next() * 6 - 3, next() * 40]; // ordinary
  }
}

function buildModel(widths: number[], input: 'uint8' | 'binarized', seed: number): Model {
  const bytes = binaryMlp({ widths, seed, input, bn: weird });
  return importOnnx(`mlp-${widths.join('x')}.onnx`, {}, bytes);
}

/** The raw BatchNormalization statistics of layer l, straight from the ONNX initializers. */
function bnParams(widths: number[], input: 'uint8' | 'binarized', seed: number, l: number): Float64Array[] {
  const proto = readModelProto('x.onnx', binaryMlp({ widths, seed, input, bn: weird }));
  const byName = new Map((proto.graph!.initializer ?? []).map((t) => [t.name, decodeTensor(t, 'x.onnx').data]));
  return ['g', 'b', 'm', 'v'].map((p) => byName.get(`${p}${l}`)!);
}

describe('foldThresholds reproduces float32 batch-norm + sign for every accumulator value', () => {
  for (const width of [1, 31, 33, 100]) {
    it(`binary layers, ${width} inputs`, () => {
      const widths = [8, width, 7, 3];
      const lowered = runPasses(buildModel(widths, 'binarized', width));
      const [g, b, m, v] = bnParams(widths, 'binarized', width, 1);
      const layer = lowered.layers[2];
      if (layer.kind !== 'dense_b1') throw new Error(`unexpected ${layer.kind}`);
      expect(layer.inFeatures).toBe(width);
      for (let o = 0; o < layer.outFeatures; o++) {
        for (let pop = 0; pop <= width; pop++) {
          const y = bnFloat(width - 2 * pop, g[o], b[o], m[o], v[o], 1e-5);
          expect(binaryThresholdBit(pop, layer.threshold[o], layer.flip[o]), `channel ${o}, pop ${pop}`).toBe(y < 0 ? 1 : 0);
        }
      }
    });
  }

  it('integer-input first layer: every uint8 accumulator value of every channel', () => {
    const widths = [10, 9, 2];
    const model = buildModel(widths, 'uint8', 5);
    const lowered = runPasses(model);
    const [g, b, m, v] = bnParams(widths, 'uint8', 5, 0);
    const layer = lowered.layers[0];
    if (layer.kind !== 'dense_int_b1') throw new Error(`unexpected ${layer.kind}`);
    const dense = model.layers.find((l) => l.kind === 'dense')!;
    if (dense.kind !== 'dense') throw new Error('no dense layer');
    for (let o = 0; o < layer.outFeatures; o++) {
      const row = dense.weight.subarray(o * 10, (o + 1) * 10);
      const min = row.reduce((s, w) => s + (w > 0 ? 0 : -255), 0);
      const max = row.reduce((s, w) => s + (w > 0 ? 255 : 0), 0);
      for (let acc = min; acc <= max; acc++) {
        // The float model computes sum(w * x / 255): bnnc defines the pre-activation as acc / 255 rounded once.
        const y = bnFloat(f32(acc / 255), g[o], b[o], m[o], v[o], 1e-5);
        expect(integerThresholdBit(acc, layer.threshold[o], layer.flip[o]), `channel ${o}, acc ${acc}`).toBe(y < 0 ? 1 : 0);
      }
    }
  });

  it('a zero-gamma channel is constant and a negative gamma flips', () => {
    const lowered = runPasses(buildModel([8, 12, 6, 3], 'binarized', 2));
    const layer = lowered.layers[1];
    if (layer.kind !== 'dense_b1') throw new Error('expected dense_b1');
    expect(layer.threshold[1]).toBe(layer.inFeatures); // constant: pop > n never
    expect(layer.flip[0]).toBe(1);
  });
});
