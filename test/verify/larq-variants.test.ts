/**
 * Larq conv options the tutorial does not use, on the tutorial CNN with its
 * config edited (weights unchanged, shapes kept): "same" padding with
 * pad_values 1 (+1 padding, after the input quantizer) and 0 (float-zero
 * padding), stride 2, an average pool on the integer sums, and a
 * magnitude_aware_sign convolution kernel. Each must be
 * bit-exact on the host and agree with the Larq reference on every binary
 * activation of 300 images.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/importers/index.ts';
import { runPasses } from '../../src/passes/index.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-larq-variants-'));
const MAPPING = { inputScale: 1 / 127.5, inputZeroPoint: 127.5 };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function variant(name: string, edit: (layers: Map<string, Json>) => void): string {
  const members = unzipSync(readFileSync('examples/larq/mnist_cnn.keras'));
  const config = JSON.parse(strFromU8(members['config.json'])) as Json;
  edit(new Map((config.config.layers as Json[]).map((l) => [l.config.name as string, l])));
  members['config.json'] = strToU8(JSON.stringify(config));
  const path = join(dir, `${name}.keras`);
  writeFileSync(path, zipSync(members, { level: 0 }));
  return path;
}

// 5x5 input, 3x3 kernel, stride 2, "same": 3x3 output (one padded row/column on each side), 576 features as before.
const SAME_STRIDE_2 = { padding: 'same', strides: [2, 2] };

const variants: [string, (layers: Map<string, Json>) => void, string][] = [
  ['same padding, pad_values 1, stride 2', (l) => Object.assign(l.get('quant_conv2d_2')!.config, SAME_STRIDE_2, { pad_values: 1.0 }), 'plus'],
  ['same padding, pad_values 0, stride 2', (l) => Object.assign(l.get('quant_conv2d_2')!.config, SAME_STRIDE_2, { pad_values: 0.0 }), 'zero'],
  ['average pool before the batch-norm', (l) => { l.get('max_pooling2d_1')!.class_name = 'AveragePooling2D'; }, 'zero'],
  ['magnitude_aware_sign on a convolution kernel', (l) => {
    l.get('quant_conv2d_2')!.config.kernel_quantizer = { module: 'larq.quantizers', class_name: 'MagnitudeAwareSign', config: { clip_value: 1 }, registered_name: 'MagnitudeAwareSign' };
  }, 'zero'],
];

describe('Larq conv variants verify against the Larq reference', () => {
  for (const [what, edit, padding] of variants) {
    it(what, async () => {
      const model = loadModel(variant(what.replace(/\W+/g, '_'), edit), MAPPING);
      const conv = model.layers.find((l) => l.name === 'quant_conv2d_2');
      expect(conv?.kind === 'conv2d' && conv.padding).toBe(padding);
      const report = await verifyOnHost(model, runPasses(model), { data: 'examples/mnist-mlp/data', limit: 300, noSanitize: true });
      expect(report.firstMismatch).toBeNull();
      expect(report.bitExact.host).toEqual({ equal: 300, total: 300 });
      expect(report.reference?.activations.equal).toBe(report.reference?.activations.total);
      expect(report.reference?.argmaxEqual).toBe(300);
      expect(report.ok).toBe(true);
    }, 240_000);
  }
});
