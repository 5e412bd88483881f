/**
 * Output folders lose no user file: bnnc replaces only folders it wrote (they
 * hold .bnnc-output) or empty ones, refuses "", "/", the current directory and
 * any folder holding the model, the data or the current directory, and cleans
 * up after crashed and interrupted runs. The CLI runs as a child process in a
 * sandbox folder, so a regression cannot touch the repository.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { OUTPUT_MARKER } from '../../src/files/output.ts';
import { PROJECT_ROOT } from '../../src/version.ts';
import { binaryMlp } from '../helpers/onnxBuilder.ts';

const BNNC = join(PROJECT_ROOT, 'bin', 'bnnc.mjs');
let sandbox: string;

function bnnc(args: string[], env: Record<string, string> = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BNNC, ...args], { cwd: sandbox, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Every file under `dir` with its content, to prove nothing was lost or changed. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => readdirSync(d, { withFileTypes: true }).forEach((e) => {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else files[p.slice(sandbox.length)] = readFileSync(p, 'latin1');
  });
  walk(dir);
  return files;
}

beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'bnnc-out-'));
  mkdirSync(join(sandbox, 'models'));
  writeFileSync(join(sandbox, 'models', 'm.onnx'), binaryMlp({ widths: [10, 6, 3], seed: 2, input: 'uint8' }));
  writeFileSync(join(sandbox, 'notes.txt'), 'my thesis');
  mkdirSync(join(sandbox, 'mine'));
  writeFileSync(join(sandbox, 'mine', 'data.csv'), '1,2,3');
});

describe('build -o refuses folders it must not replace, losing no file', () => {
  const refused: [string, string, RegExp][] = [
    ['an empty name (an unset $OUT)', '', /output folder name is empty/],
    ['the current directory', '.', /is the current directory/],
    ['a parent of the current directory', '..', /contains the current directory/],
    ['a folder with the user\'s files', 'mine', /holds files bnnc did not write \(data\.csv\)[\s\S]*hint: choose a new or empty folder/],
    ['the model\'s own folder', 'models', /contains the input models\/m\.onnx/],
    ['the root', '/', /root of the file system/],
    ['a path under a file', 'notes.txt/sub', /notes\.txt is a file/],
    ['a file', 'notes.txt', /output path is a file/],
  ];
  for (const [what, out, message] of refused) {
    it(what, () => {
      const before = snapshot(sandbox);
      const r = bnnc(['build', 'models/m.onnx', '-o', out]);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/internal error|\s+at .*:\d+/);
      expect(r.code).toBe(2);
      expect(snapshot(sandbox)).toEqual(before);
    }, 60_000);
  }

  it('a folder holding the data set is refused too', () => {
    const before = snapshot(sandbox);
    const r = bnnc(['build', 'models/m.onnx', '-o', 'mine', '--data', 'mine/data.csv']);
    expect(r.code).toBe(2);
    expect(snapshot(sandbox)).toEqual(before);
  }, 60_000);

  it('/proc/x: a clear error', () => {
    const r = bnnc(['build', 'models/m.onnx', '-o', '/proc/x']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: \/proc\/x: cannot (write next to|create) the output folder/);
  }, 60_000);
});

describe('replacing bnnc\'s own folders', () => {
  it('a new or empty folder is filled, a bnnc folder replaced as a whole', () => {
    mkdirSync(join(sandbox, 'empty'));
    expect(bnnc(['build', 'models/m.onnx', '-o', 'empty']).code).toBe(0);
    expect(bnnc(['build', 'models/m.onnx', '-o', 'out/c']).code).toBe(0);
    expect(existsSync(join(sandbox, 'out', 'c', OUTPUT_MARKER))).toBe(true);
    writeFileSync(join(sandbox, 'out', 'c', 'stale.c'), '');
    expect(bnnc(['build', 'models/m.onnx', '-o', 'out/c', '--format', 'platformio']).code).toBe(0);
    const files = readdirSync(join(sandbox, 'out', 'c'));
    expect(files).toContain('library.json');
    expect(files).not.toContain('stale.c');
    expect(readdirSync(join(sandbox, 'out')).sort()).toEqual(['c']);
  }, 60_000);

  it('leftovers of crashed runs are removed; a crash after emptying left a usable folder', () => {
    expect(bnnc(['build', 'models/m.onnx', '-o', 'out/c']).code).toBe(0);
    const dead = 2 ** 22 + 12345; // above Linux's default pid_max: no such process
    const stale = [`.c.bnnc-new-${dead}-0`, `.c.bnnc-old-${dead}-1`, `.c.bnnc-${dead}`, `.c.bnnc-${dead}.old`];
    for (const s of stale) {
      mkdirSync(join(sandbox, 'out', s));
      writeFileSync(join(sandbox, 'out', s, 'model.c'), '');
    }
    for (const s of stale.slice(0, 2)) writeFileSync(join(sandbox, 'out', s, OUTPUT_MARKER), '');
    const alive = `.c.bnnc-new-${process.pid}-0`;
    mkdirSync(join(sandbox, 'out', alive));
    // The crashed run had moved everything but the marker out of out/c.
    for (const f of readdirSync(join(sandbox, 'out', 'c'))) if (f !== OUTPUT_MARKER) spawnSync('rm', ['-r', join(sandbox, 'out', 'c', f)]);
    expect(bnnc(['build', 'models/m.onnx', '-o', 'out/c']).code).toBe(0);
    expect(readdirSync(join(sandbox, 'out')).sort()).toEqual([alive, 'c'].sort());
  }, 60_000);

  it('an output of an earlier bnnc (no marker, every file with bnnc\'s banner) is replaced; one user file makes it the user\'s', () => {
    expect(bnnc(['build', 'models/m.onnx', '-o', 'old']).code).toBe(0);
    spawnSync('rm', [join(sandbox, 'old', OUTPUT_MARKER)]);
    writeFileSync(join(sandbox, 'old', 'notes.txt'), 'mine');
    const before = snapshot(sandbox);
    expect(bnnc(['build', 'models/m.onnx', '-o', 'old']).code).toBe(2);
    expect(snapshot(sandbox)).toEqual(before);
    spawnSync('rm', [join(sandbox, 'old', 'notes.txt')]);
    expect(bnnc(['build', 'models/m.onnx', '-o', 'old']).code).toBe(0);
    expect(existsSync(join(sandbox, 'old', OUTPUT_MARKER))).toBe(true);
  }, 60_000);

  it('verify --keep follows the same rules', () => {
    writeFileSync(join(sandbox, 'data.csv'), Array.from({ length: 5 }, (_, i) => Array(10).fill(i * 20).join(',')).join('\n'));
    const before = snapshot(sandbox);
    const refused = bnnc(['verify', 'models/m.onnx', '--data', 'data.csv', '--keep', 'mine', '--no-reference', '--no-sanitize']);
    expect(refused.code).toBe(2);
    expect(snapshot(sandbox)).toEqual(before);
    const kept = bnnc(['verify', 'models/m.onnx', '--data', 'data.csv', '--keep', 'kept', '--no-reference', '--no-sanitize']);
    expect(kept.code).toBe(0);
    expect(readdirSync(join(sandbox, 'kept'))).toEqual(expect.arrayContaining([OUTPUT_MARKER, 'bnnc_host_main.c', 'bnnc_host']));
  }, 60_000);
});

describe('interrupted verify', () => {
  it('a temporary folder left by a killed verify is removed by the next one', () => {
    const tmp = join(sandbox, 'tmp');
    const stale = join(tmp, `bnnc-verify-${2 ** 22 + 7}-AbC123`);
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, OUTPUT_MARKER), '');
    writeFileSync(join(sandbox, 'data.csv'), Array(10).fill(7).join(','));
    expect(bnnc(['verify', 'models/m.onnx', '--data', 'data.csv', '--no-reference', '--no-sanitize'], { TMPDIR: tmp }).code).toBe(0);
    expect(readdirSync(tmp).filter((f) => f.startsWith('bnnc-'))).toEqual([]);
  }, 60_000);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} removes the temporary folder`, async () => {
      const tmp = join(sandbox, 'tmp');
      mkdirSync(tmp);
      writeFileSync(join(sandbox, 'data.csv'), Array.from({ length: 3000 }, (_, i) => Array(10).fill(i % 256).join(',')).join('\n'));
      const child = spawn(process.execPath, [BNNC, 'verify', 'models/m.onnx', '--data', 'data.csv'], { cwd: sandbox, env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' });
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      const deadline = Date.now() + 60_000;
      while (!readdirSync(tmp).some((f) => f.startsWith('bnnc-verify-')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(readdirSync(tmp).filter((f) => f.startsWith('bnnc-verify-'))).toHaveLength(1);
      child.kill(signal);
      expect(await exited).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(readdirSync(tmp).filter((f) => f.startsWith('bnnc-verify-'))).toEqual([]);
    }, 120_000);
  }
});
