/** The CLI on bad input: one clear message, non-zero exit, nothing half-written. */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { binaryMlp } from '../helpers/onnxBuilder.ts';
import { DEMO_DATA, DEMO_MODEL } from '../../src/cli/commands/demo.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-cli-'));
const good = join(dir, 'good.onnx');
writeFileSync(good, binaryMlp({ widths: [16, 20, 3], seed: 11, input: 'uint8' }));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'bnnc', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('bnnc CLI', () => {
  it('build writes the C sources', async () => {
    const out = join(dir, 'c-out');
    const r = await run('build', good, '-o', out);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['.bnnc-output', 'CMakeLists.txt', 'Makefile', 'bnn_dense_b1_pop.c', 'bnn_dense_int.h', 'bnn_dense_u8_b1.c', 'bnn_kernel_config.h',
      'bnn_kernel_variant.c', 'bnn_kernels.h', 'bnn_popcount.h', 'bnn_popcount_portable.h', 'test_graph.c', 'test_graph.h', 'test_graph_selftest.c', 'test_graph_selftest_main.c']);
  });

  it('truncated ONNX: one message, exit 2, no stack trace, no output folder', async () => {
    const bad = join(dir, 'truncated.onnx');
    const bytes = binaryMlp({ widths: [16, 20, 3], seed: 11, input: 'uint8' });
    writeFileSync(bad, bytes.subarray(0, 100));
    const out = join(dir, 'never');
    const r = await run('build', bad, '-o', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: .*truncated\.onnx/);
    expect(r.err).not.toMatch(/\s+at .*\.ts:\d+/);
    expect(existsSync(out)).toBe(false);
  });

  it('an output path that is a file is refused before any work', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'keep me');
    const r = await run('build', good, '-o', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the output path is a file');
  });

  it('a failed build leaves an existing output folder untouched', async () => {
    const out = join(dir, 'existing');
    expect((await run('build', good, '-o', out)).code).toBe(0);
    const before = readdirSync(out).sort();
    const r = await run('build', good, '-o', out, '--dump-after', 'noSuchPass');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown pass "noSuchPass"');
    expect(readdirSync(out).sort()).toEqual(before);
    expect(readdirSync(dir).filter((f) => f.includes('.bnnc-'))).toEqual([]);
  });

  it('build refuses a model that exceeds the target budget', async () => {
    const big = join(dir, 'big.onnx');
    writeFileSync(big, binaryMlp({ widths: [256, 1024, 10], seed: 2, input: 'uint8' }));
    const out = join(dir, 'too-big');
    const r = await run('build', big, '-o', out, '--target', 'avr-uno');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/does not fit avr-uno: needs \d+ bytes of flash, avr-uno has 32256/);
    expect(existsSync(out)).toBe(false);
  });

  it('a missing model file', async () => {
    const r = await run('inspect', join(dir, 'nope.onnx'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope\.onnx: no such file/);
  });

  it('convert then inspect the .bnn.json', async () => {
    const out = join(dir, 'good.bnn.json');
    expect((await run('convert', good, '-o', out)).code).toBe(0);
    const r = await run('inspect', out, '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out);
    expect(info.format).toBe('bnn.json');
    expect(info.layers.map((l: { kind: string }) => l.kind)).toEqual(['dense_int_b1', 'dense_b1_scores']);
  });

  it('--dump-after prints the model after that pass', async () => {
    const r = await run('inspect', good, '--dump-after', 'foldThresholds');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/dense_int_b1 .*threshold=/);
  });

  it('verify --cycles says when the target has no cycle timing model (cycles null)', async () => {
    const r = await run('verify', DEMO_MODEL, '--data', DEMO_DATA, '--limit', '2', '--no-reference', '--no-sanitize', '--cycles', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toContain('no cycle timing model for target host');
    expect(JSON.parse(r.out).cycles).toBeNull();
  });

  it('passes lists the pipeline in order', async () => {
    const r = await run('passes');
    expect(r.out.split('\n').map((l) => l.split(/\s+/)[1])).toEqual([
      'dropClipBeforeSign', 'mergeAffineChains', 'checkBinaryWeights', 'foldInputBinarization', 'foldThresholds', 'foldScores', 'checkKernelLimits', 'planMemory',
    ]);
  });

  it('exit status: 0 for --help and --version, 2 for usage errors', async () => {
    expect((await run('--version')).code).toBe(0);
    expect((await run('build', '--help')).code).toBe(0);
    expect((await run('no-such-command')).code).toBe(2);
    expect((await run('build', good)).code).toBe(2); // -o is required
    expect((await run('inspect', good, '--no-such-option')).code).toBe(2);
  });

  it('exit status 70 for an internal error, with a request to report it', async () => {
    const err: string[] = [];
    const code = await main(['node', 'bnnc', 'passes'], { out: () => { throw new Error('broken output'); }, err: (l) => err.push(l) });
    expect(code).toBe(70);
    expect(err.join('\n')).toMatch(/^bnnc internal error: broken output\n.*report it/);
  });

  it('monitor --timeout beyond Node\'s timer range is refused instead of giving up at once', async () => {
    const started = Date.now();
    const r = await run('monitor', '--port', join(dir, 'no-such-port'), '--expect-digest', '12', '--timeout', '10000000');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('--timeout: "10000000" is not at most 2147483');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
