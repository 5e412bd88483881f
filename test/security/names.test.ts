/**
 * Names from a model file are untrusted: they must never become code in any
 * generated file. The graph name below closes the banner comment through a
 * backslash-newline (the C preprocessor splices `*\` + newline + `/` into
 * `*\/`) and defines a constructor that creates a file; `bnnc verify` compiles
 * and runs host programs from the generated C, so the file would appear.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { binaryMlp, rng } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-names-'));
const WIDTHS = [12, 9, 3];

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'bnnc', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function model(file: string, graphName: string, nodeName = graphName): string {
  const path = join(dir, file);
  writeFileSync(path, binaryMlp({ widths: WIDTHS, seed: 5, input: 'uint8', graphName, matMulName: (l) => `${nodeName} ${l}` }));
  return path;
}

const data = join(dir, 'data.csv');
const next = rng(3);
writeFileSync(data, Array.from({ length: 20 }, () => Array.from({ length: WIDTHS[0] }, () => Math.floor(next() * 256)).join(',')).join('\n'));

/** C that creates `marker` when it runs, behind a backslash-newline that ends the banner comment. */
function payload(marker: string): string {
  const code = [
    '#ifndef BNNC_PWNED', '#define BNNC_PWNED',
    'extern int mkdir(const char *, unsigned int);',
    `__attribute__((constructor)) static void bnnc_pwned(void) { mkdir("${marker}", 0700u); }`,
    '#endif',
  ].join('\n');
  return `evil *\\\n/\n${code}\n/*`;
}

describe('hostile model names', () => {
  it('a name carrying C through a backslash-newline runs no code during bnnc verify', async () => {
    const marker = join(dir, 'pwned');
    const path = model('pwn.onnx', payload(marker));
    const r = await run('verify', path, '--data', data, '--no-reference');
    expect(existsSync(marker)).toBe(false);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('20/20 bit-exact');
  }, 120_000);

  const plain: [string, string][] = [
    ['comment delimiters', 'a /* b */ c */ /* d'],
    ['newlines and a trailing star', 'line one\nline two\r\n#define X 1\n*'],
    ['bidi controls and other Unicode', 'm\u202Eodel\u2066 \u200F名前 \u2028 Ünïcödé'],
    ['trigraphs and backslashes', 'a ??/ b \\ c ??= d ??'],
  ];
  for (const [what, name] of plain) {
    it(`${what}: verify passes with -Werror, and build --format c compiles with -Werror`, async () => {
      const path = model(`${what.replace(/\W+/g, '_')}.onnx`, name);
      const v = await run('verify', path, '--data', data, '--no-reference', '--no-sanitize');
      expect(v.err).toBe('');
      expect(v.code).toBe(0);
      const out = join(dir, `${what.replace(/\W+/g, '_')}-c`);
      const b = await run('build', path, '-o', out, '--format', 'c');
      expect(b.code).toBe(0);
      execFileSync('make', ['-s', 'check', 'CFLAGS=-O1 -Werror'], { cwd: out, stdio: 'pipe' });
      for (const f of readdirSync(out).filter((n) => /\.(c|h)$|^Makefile$|^CMakeLists.txt$/.test(n))) {
        const text = readFileSync(join(out, f), 'utf8');
        expect(text).not.toMatch(/[\u0080-\uffff]|\?\?/);
        const banner = text.startsWith('/*') ? text.slice(0, text.indexOf('*/') + 2) : text.split('\n').filter((l) => l.startsWith('#')).join('\n');
        const nameLines = [banner, ...text.split('\n').filter((l) => l.startsWith('/* layer'))].join('\n');
        expect(nameLines).not.toMatch(/\\/);
        expect(banner.match(/\/\*|\*\//g)?.length ?? 0).toBe(text.startsWith('/*') ? 2 : 0);
      }
    }, 120_000);
  }

  it('model names reach library manifests only as safe text', async () => {
    const path = model('manifest.onnx', 'x"\n}\nname=evil\n\\" {');
    for (const format of ['arduino', 'platformio']) {
      const out = join(dir, `manifest-${format}`);
      expect((await run('build', path, '-o', out, '--format', format)).code).toBe(0);
      const manifest = readFileSync(join(out, format === 'arduino' ? 'library.properties' : 'library.json'), 'utf8');
      if (format === 'platformio') expect(JSON.parse(manifest).name).toMatch(/^[a-z][a-z0-9_]*$/);
      else {
        expect(manifest.match(/^name=.*$/gm)).toEqual(['name=x_name_evil']);
        expect(manifest).not.toMatch(/\\/);
      }
    }
  });

  it('a model or --name equal to a runtime stem gets a suffix, shown by inspect, and the project compiles', async () => {
    const path = model('stem.onnx', 'bnn_kernels');
    const inspect = await run('inspect', path);
    expect(inspect.out).toContain('C prefix: bnn_kernels_model');
    expect(inspect.out).toContain('bnn_kernels is reserved by the bnnc runtime');
    for (const name of [undefined, 'bnn_popcount', 'bnn_dense_b1']) {
      const out = join(dir, `stem-${name ?? 'model'}`);
      const b = await run('build', path, '-o', out, '--format', 'c', ...(name ? ['--name', name] : []));
      expect(b.code).toBe(0);
      expect(b.out).toContain(`note: C prefix ${name ?? 'bnn_kernels'}_model`);
      execFileSync('make', ['-s', 'check', 'CFLAGS=-O1 -Werror'], { cwd: out, stdio: 'pipe' });
    }
    expect((await run('verify', path, '--data', data, '--no-reference', '--no-sanitize')).code).toBe(0);
  }, 120_000);
});
