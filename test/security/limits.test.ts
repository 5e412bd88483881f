/**
 * Resource limits on input files: only regular files are read, and sizes are
 * capped before and while decompressing, so a gzip bomb, /dev/zero or a FIFO
 * give a clear error naming the file and the limit, quickly and in bounded
 * memory. The CLI runs as a child process so its peak memory can be measured.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/version.ts';
import { binaryMlp } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-limits-'));
const model = join(dir, 'm.onnx');
writeFileSync(model, binaryMlp({ widths: [8, 6, 3], seed: 4, input: 'uint8' }));

/** Runs the CLI in a child process; reports its exit status, stderr, wall time and peak RSS. */
function bnnc(args: string[], env: Record<string, string> = {}) {
  // The compiled CLI (npm test builds dist/ first), as users run it.
  const script = `const { main } = await import(${JSON.stringify(pathToFileURL(join(PROJECT_ROOT, 'dist', 'cli', 'main.js')).href)});
    const code = await main(['node', 'bnnc', ...JSON.parse(process.env.BNNC_TEST_ARGS)]);
    process.stderr.write('\\nmaxrss-kb ' + process.resourceUsage().maxRSS + '\\n');
    process.exitCode = code;`;
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env, BNNC_TEST_ARGS: JSON.stringify(args) },
  });
  const rss = Number(/maxrss-kb (\d+)/.exec(r.stderr)?.[1] ?? NaN) * 1024;
  return { code: r.status, err: r.stderr.replace(/\nmaxrss-kb \d+\n$/, ''), seconds: (Date.now() - started) / 1000, rssBytes: rss };
}

/** A .csv.gz of `members` gzip members of 1 MiB each (16 lines of zeros): about 1 KB per member on disk. */
function csvGzipBomb(path: string, members: number): void {
  const line = `${'0,'.repeat(32767)}0\n`; // 64 KiB
  const member = gzipSync(Buffer.from(line.repeat(16)), { level: 9 });
  writeFileSync(path, Buffer.concat(Array(members).fill(member)));
}

describe('input limits', () => {
  it('a 2 MB .csv.gz expanding to 2 GiB stops at the data limit, under 1 GB of memory', () => {
    const bomb = join(dir, 'bomb.csv.gz');
    csvGzipBomb(bomb, 2048);
    expect(statSync(bomb).size).toBeLessThan(2.5e6);
    const r = bnnc(['verify', model, '--data', bomb]);
    expect(r.err).toMatch(/^error: .*bomb\.csv\.gz: the gzip content decompresses to more than the limit of 32 MiB for data files\n {2}hint: .*BNNC_MAX_DATA_MB=64/);
    expect(r.code).toBe(2);
    expect(r.rssBytes).toBeLessThan(1e9);
    console.log(`gzip bomb: exit ${r.code} in ${r.seconds} s, peak RSS ${(r.rssBytes / 1e6).toFixed(0)} MB`);
  }, 120_000);

  it('an .npz whose array decompresses past the limit is refused before inflating it', () => {
    const npz = join(dir, 'bomb.npz');
    writeFileSync(npz, zipSync({ 'inputs.npy': new Uint8Array(40 * 1024 * 1024) }, { level: 9 }));
    expect(statSync(npz).size).toBeLessThan(1e6);
    const r = bnnc(['verify', model, '--data', npz]);
    expect(r.err).toMatch(/bomb\.npz: array 'inputs' decompresses to more than the limit of 32 MiB for data files/);
    expect(r.code).toBe(2);
  }, 120_000);

  it('the limits can be raised (and a bad value is refused)', () => {
    const big = join(dir, 'big.csv');
    writeFileSync(big, `${'1,2,3,4,5,6,7,8\n'.repeat(70_000)}`); // 1.1 MB
    expect(bnnc(['verify', model, '--data', big, '--limit', '2'], { BNNC_MAX_DATA_MB: '1' }).err).toMatch(/the file has 1\.1 MiB, more than the limit of 1 MiB for data files/);
    expect(bnnc(['inspect', model], { BNNC_MAX_MODEL_MB: '0.001' }).err).toMatch(/m\.onnx: the file has \d+ bytes, more than the limit of 1048 bytes for model files\n {2}hint: .*BNNC_MAX_MODEL_MB=/);
    expect(bnnc(['inspect', model], { BNNC_MAX_MODEL_MB: 'lots' }).err).toMatch(/BNNC_MAX_MODEL_MB=lots is not a size/);
  }, 120_000);

  it('/dev/zero, a FIFO and a folder: clear errors, no hang', () => {
    symlinkSync('/dev/zero', join(dir, 'zero.onnx'));
    symlinkSync('/dev/zero', join(dir, 'zero.csv'));
    spawnSync('mkfifo', [join(dir, 'pipe.onnx'), join(dir, 'pipe.csv')]);
    mkdirSync(join(dir, 'folder.onnx'));
    const cases: [string[], RegExp][] = [
      [['inspect', '/dev/zero'], /\/dev\/zero: is a character device; bnnc reads regular files only/],
      [['inspect', join(dir, 'zero.onnx')], /zero\.onnx: is a character device; bnnc reads regular files only/],
      [['inspect', join(dir, 'pipe.onnx')], /pipe\.onnx: is a named pipe \(FIFO\); bnnc reads regular files only/],
      [['inspect', join(dir, 'folder.onnx')], /folder\.onnx: is a folder; bnnc reads regular files only/],
      [['verify', model, '--data', join(dir, 'zero.csv')], /zero\.csv: is a character device/],
      [['verify', model, '--data', join(dir, 'pipe.csv')], /pipe\.csv: is a named pipe \(FIFO\)/],
    ];
    for (const [args, message] of cases) {
      const r = bnnc(args);
      expect(r.err).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.seconds).toBeLessThan(30);
    }
  }, 120_000);
});
