/**
 * The library API (src/index.ts) and the CLI commands built on it: emulate
 * and emulateBatch agree with each other and with `bnnc predict`, generate()
 * is `bnnc build`, verify() is `bnnc verify --json`; the float reference
 * falls back to bnnc's interpreter without onnxruntime-node and says so;
 * flash and monitor take the same data options as verify.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BnncError, BUNDLED_EXAMPLE, loadBnnModel, loadData, PASS_NAMES } from '../../src/index.ts';
import { createReference } from '../../src/reference/index.ts';
import { run, useFakeArduinoCli, writeTinyModel } from '../arduino/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-api-'));
const FINN = 'examples/peer-models/finn-tfc-w1a1/model.onnx';
const FINN_INPUT = 'examples/peer-models/finn-tfc-w1a1/input.npy';

describe('library API', () => {
  const model = loadBnnModel(BUNDLED_EXAMPLE.model);
  const data = loadData(BUNDLED_EXAMPLE.data, { limit: 8 });

  it('loads and inspects a model', () => {
    expect(model.name).toBe('mnist_mlp_bnn');
    expect(model.input).toMatchObject({ dtype: 'uint8', features: 784 });
    const summary = model.inspect();
    expect(summary.layers.map((l) => l.kind)).toEqual(['dense_int_b1', 'dense_b1', 'dense_b1_scores']);
    expect(summary).toMatchObject({ flashBytes: 71152, arenaBytes: 864, arenaLowerBoundBytes: 864, classes: 10 });
    expect(PASS_NAMES).toContain('foldThresholds');
  });

  it('emulate() of one sample equals emulateBatch() of the data set, with every layer\'s packed activations', () => {
    const batch = model.emulateBatch(data);
    const one = model.emulate(data.inputs.subarray(784, 2 * 784));
    expect(one).toEqual(batch[1]);
    expect(batch.map((p) => p.class)).toEqual([7, 2, 1, 0, 4, 1, 4, 9]);
    expect(one.activations.map((a) => a.length)).toEqual([16, 8]);
  });

  it('names the problem when a sample has the wrong size or type', () => {
    expect(() => model.emulate([1, 2, 3])).toThrow(BnncError);
    expect(() => model.emulate([1, 2, 3])).toThrow(/sample 0 has 3 values, the model takes 784/);
    expect(() => model.emulate(new Array(784).fill(0.5))).toThrow(/not a uint8/);
  });

  it('generate() writes what bnnc build writes', async () => {
    const viaApi = model.generate(join(dir, 'api'), { target: 'cortex-m0plus', format: 'c' });
    const viaCli = await run('build', BUNDLED_EXAMPLE.model, '-o', join(dir, 'cli'), '--target', 'cortex-m0plus', '--format', 'c');
    expect(viaCli.code).toBe(0);
    expect(viaApi).toMatchObject({ kernel: 'armv6m', format: 'c', target: 'cortex-m0plus' });
    expect(readdirSync(viaApi.dir).sort()).toEqual(readdirSync(join(dir, 'cli')).sort());
  });

  it('verify() returns the object bnnc verify --json prints', async () => {
    const report = await model.verify(BUNDLED_EXAMPLE.data, { limit: 10, sanitize: false });
    const cli = await run('verify', BUNDLED_EXAMPLE.model, '--data', BUNDLED_EXAMPLE.data, '--limit', '10', '--no-sanitize', '--json');
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.out)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(report).toMatchObject({ instructionsPerInference: null, instructionsPerLayer: null, kernel: null, accuracy: 1 });
    expect(report.bitExact.hostSanitized).toBeNull();
  });
});

describe('float reference without onnxruntime-node', () => {
  it('falls back to bnnc\'s interpreter, says why, and agrees with the emulator the same way', async () => {
    const model = loadBnnModel(BUNDLED_EXAMPLE.model);
    const missing = await createReference(model.model, model.lowered, 'auto', () => ({ unavailable: 'onnxruntime-node is not installed' }));
    expect(missing).toMatchObject({ engine: 'bnnc-onnx-interpreter', note: 'onnxruntime-node is not installed' });
    await expect(createReference(model.model, model.lowered, 'onnxruntime', () => ({ unavailable: 'onnxruntime-node is not installed' })))
      .rejects.toThrow(/onnxruntime is not available: onnxruntime-node is not installed/);
    const chosen = await model.verify(BUNDLED_EXAMPLE.data, { limit: 20, sanitize: false, referenceEngine: 'interpreter' });
    const ort = await model.verify(BUNDLED_EXAMPLE.data, { limit: 20, sanitize: false });
    expect(chosen.reference).toMatchObject({ engine: 'bnnc-onnx-interpreter', engineNote: 'chosen with --reference-engine interpreter' });
    expect(ort.reference).toMatchObject({ engine: 'onnxruntime', engineNote: null });
    expect({ ...chosen.reference, engine: '', engineNote: '' }).toEqual({ ...ort.reference, engine: '', engineNote: '' });
    const text = await run('verify', BUNDLED_EXAMPLE.model, '--data', BUNDLED_EXAMPLE.data, '--limit', '5', '--no-sanitize', '--reference-engine', 'interpreter');
    expect(text.out).toContain('emulator vs float reference (bnnc-onnx-interpreter: chosen with --reference-engine interpreter)');
    expect((await run('verify', BUNDLED_EXAMPLE.model, '--data', BUNDLED_EXAMPLE.data, '--reference-engine', 'tf')).err)
      .toMatch(/unknown reference engine "tf"/);
  });
});

describe('bnnc predict', () => {
  it('prints FINN\'s expected classes for its input.npy, as a table, JSON and CSV', async () => {
    const table = await run('predict', FINN, '--data', FINN_INPUT);
    expect(table.code).toBe(0);
    expect(table.out.split('\n').at(-1)).toBe('classes: [7, 2, 1, 0]');
    const json = JSON.parse((await run('predict', FINN, '--data', FINN_INPUT, '--json')).out);
    expect(json.samples.map((s: { class: number }) => s.class)).toEqual([7, 2, 1, 0]);
    expect(json.samples[0]).toMatchObject({ index: 0, label: null });
    expect(json.samples[0].scores).toHaveLength(10);
    const csv = (await run('predict', FINN, '--data', FINN_INPUT, '--csv')).out.split('\n');
    expect(csv[0]).toBe('index,class,label,score0,score1,score2,score3,score4,score5,score6,score7,score8,score9');
    expect(csv.slice(1).map((l) => l.split(',')[1])).toEqual(['7', '2', '1', '0']);
  });

  it('gives labels when the data has them, and refuses --json with --csv', async () => {
    const r = await run('predict', BUNDLED_EXAMPLE.model, '--data', 'datasets/mnist-test', '--limit', '3', '--csv');
    expect(r.out.split('\n').slice(1).map((l) => l.split(',').slice(1, 3).join(','))).toEqual(['7,7', '2,2', '1,1']);
    expect((await run('predict', BUNDLED_EXAMPLE.model, '--data', 'datasets/mnist-test', '--json', '--csv')).err).toMatch(/--json or --csv, not both/);
  });
});

describe('flash and monitor take the data options of verify', () => {
  it('--label-column for a headerless CSV', async () => {
    const model = writeTinyModel(join(dir, 'tiny.onnx'));
    const csv = join(dir, 'tiny.csv');
    writeFileSync(csv, Array.from({ length: 6 }, (_, s) => [...Array.from({ length: 16 }, (_, i) => (s * 37 + i * 11) % 256), s % 4].join(',')).join('\n'));
    useFakeArduinoCli(join(dir, 'arduino-cli.log'));
    const flash = await run('flash', model, '--target', 'avr-uno', '-o', join(dir, 'flash'), '--data', csv, '--label-column', 'last', '--no-upload');
    expect(flash.err).toBe('');
    expect(flash.out).toMatch(/emulator vs host C \(strict -Werror\) +6\/6 bit-exact/);
    const monitor = await run('monitor', '--port', join(dir, 'no-such-port'), '--model', model, '--data', csv, '--label-column', 'last', '--timeout', '1');
    expect(monitor.code).toBe(2);
    expect(monitor.err).toMatch(/^error: .*no-such-port/);
  });
});
