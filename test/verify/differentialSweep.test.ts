/**
 * Differential sweep (issue 9): random binary networks built as ONNX, lowered
 * by bnnc and verified against onnxruntime (graph optimisations disabled) with
 * bnnc's own reference comparison. Every model must give 0 unexplained
 * differences and 0 boundary ties on binary layers (the reference is exact
 * there); a few also run as host C, bit-exact with the emulator.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/index.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';
import { verifyAgainstReference, verifyOnHost } from '../../src/verify/verify.ts';
import { randomConv, randomDense, randomSamples, type FirstLayer, type RandomModel } from '../helpers/randomModels.ts';

const MODELS = 320;
const SAMPLES = 24;
const HOST_EVERY = 64;
const BINARY_KINDS = new Set(['dense_b1', 'conv2d_b1', 'maxpool_b1', 'binarize_input']);
const dir = mkdtempSync(join(tmpdir(), 'bnnc-sweep-'));

function modelFor(i: number): RandomModel {
  // Dense and conv alternate; each sees binarized, uint8, binarized, int8 first layers in turn.
  const first: FirstLayer = (['binarized', 'uint8', 'binarized', 'int8'] as const)[Math.floor(i / 2) % 4];
  const exactZeros = Math.floor(i / 8) % 2 === 0;
  return i % 2 === 0 ? randomDense(1000 + i, first, exactZeros) : randomConv(1000 + i, first, exactZeros);
}

describe('differential sweep against onnxruntime', () => {
  it(`${MODELS} random models: 0 unexplained, 0 boundary ties on binary layers`, async () => {
    const families: Record<string, number> = {};
    const totals = { models: 0, withoutExactZeros: 0, samples: 0, activations: 0, argmaxEqual: 0, sign0: 0, boundaryInteger: 0, logitTies: 0, host: 0 };
    for (let i = 0; i < MODELS; i++) {
      const random = modelFor(i);
      const path = join(dir, `m${i}.onnx`);
      writeFileSync(path, random.bytes);
      const model = importOnnx(path);
      const lowered = runPasses(model);
      const inputs = randomSamples(random, SAMPLES, i);
      const data: Dataset = { source: path, samples: SAMPLES, features: random.features, shape: [random.features], inputs, labels: null };
      const stats = await verifyAgainstReference(model, lowered, data);
      const what = `model ${i} (${random.description})`;
      expect(stats.engine, what).toBe('onnxruntime');
      expect(stats.divergence.unexplained, `${what}: ${stats.firstUnexplained}`).toBe(0);
      // Binary layers: never a boundary tie; with no exact zero crossing placed, no tie at all.
      const exactZeros = Math.floor(i / 8) % 2 === 0;
      const binaryTies = stats.tiesPerLayer.filter((t) => BINARY_KINDS.has(t.kind) && (t.boundary > 0 || (!exactZeros && t.sign0 > 0)));
      expect(binaryTies, `${what}: ${JSON.stringify(stats.tiesPerLayer)}`).toEqual([]);
      if (!exactZeros) totals.withoutExactZeros++;
      families[random.description.split(' ').slice(0, 2).join(' ')] = (families[random.description.split(' ').slice(0, 2).join(' ')] ?? 0) + 1;
      totals.models++;
      totals.samples += stats.total;
      totals.activations += stats.activations.total;
      totals.argmaxEqual += stats.argmaxEqual;
      totals.sign0 += stats.divergence.sign0;
      totals.boundaryInteger += stats.divergence.boundary;
      totals.logitTies += stats.logitTies;
      if (i % HOST_EVERY === 0 || i % HOST_EVERY === 1) {
        const csv = join(dir, `m${i}.csv`);
        writeFileSync(csv, Array.from({ length: SAMPLES }, (_, s) => Array.from(inputs.subarray(s * random.features, (s + 1) * random.features)).join(',')).join('\n'));
        const report = await verifyOnHost(model, lowered, { data: csv, noSanitize: true, noReference: true });
        expect(report.bitExact.host, what).toEqual({ equal: SAMPLES, total: SAMPLES });
        totals.host++;
      }
    }
    console.log(`differential sweep: ${JSON.stringify(totals)} ${JSON.stringify(families)}`);
    expect(totals.models).toBe(MODELS);
  }, 600_000);
});
