/**
 * The npm package as a user gets it: `npm pack`, installed from the tarball
 * into an empty temporary project with npm (prefer-offline: the cache serves
 * what `npm ci` fetched), then, from outside the repository:
 * `bnnc --version`, `bnnc demo` in an empty folder, and README's library
 * example run by vitest in that project, importing 'bnnc' by name; its types
 * are checked against the package's .d.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.ts';
import { readmeBlocks } from './readme.ts';

const REPO = resolve('.');
const work = mkdtempSync(join(tmpdir(), 'bnnc-package-'));
const project = join(work, 'project');
const vitestVersion: string = JSON.parse(readFileSync('node_modules/vitest/package.json', 'utf8')).version;
let tarball = '';
let installLog = '';

/** npm without the repository's environment (npm run sets npm_config_* variables for the repository), output without colours. */
function npmEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') && k !== 'FORCE_COLOR'));
  return { ...env, NO_COLOR: '1' };
}

function run(cmd: string, args: string[], cwd: string, timeout = 240_000): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, env: npmEnv(), encoding: 'utf8', timeout });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  const packed = run('npm', ['pack', '--pack-destination', work], REPO);
  expect(packed.status, packed.out).toBe(0);
  tarball = join(work, `bnnc-${VERSION}.tgz`);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  const installed = run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball, `vitest@${vitestVersion}`], project);
  installLog = installed.out;
  expect(installed.status, installed.out).toBe(0);
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the npm package', () => {
  it('is small and holds what an installed bnnc needs, not the repository', () => {
    expect(statSync(tarball).size).toBeLessThan(1_000_000);
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const f of ['bin/bnnc.mjs', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'templates/c/model.c.hbs', 'targets/stm32f4.json',
      'harness/common/bnnc_hal.h', 'examples/mnist-mlp/model.onnx', 'examples/mnist-mlp/data/t10k-1000-images-idx3-ubyte.gz', 'NOTICE', 'LICENSE']) {
      expect(files).toContain(`package/${f}`);
    }
    expect(files.filter((f) => /^package\/(src|test|datasets|bench|docs)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('installs (without install scripts, as README says) with no npm warning', () => {
    expect(installLog.split('\n').filter((l) => /npm warn/i.test(l))).toEqual([]);
  });

  it('bnnc --version and bnnc demo work from an empty folder', () => {
    const bnnc = join(project, 'node_modules', '.bin', 'bnnc');
    const empty = mkdtempSync(join(work, 'empty-'));
    expect(run(bnnc, ['--version'], empty).out.trim()).toBe(VERSION);
    const demo = run(bnnc, ['demo', '--limit', '100'], empty);
    expect(demo.status, demo.out).toBe(0);
    expect(demo.out).toMatch(/\nPASS\n/);
    expect(demo.out).toContain('C sources (12 files) in out/mnist-mlp/:');
    expect(existsSync(join(empty, 'out', 'mnist-mlp', 'mnist_mlp_bnn.h'))).toBe(true);
  });

  it('runs README\'s library example in the project, importing bnnc by name', () => {
    const example = readmeBlocks().find((b) => b.marker === 'api-example')!;
    mkdirSync(join(project, 'test'), { recursive: true });
    writeFileSync(join(project, 'test', 'digits-model.test.ts'), example.body);
    const vitest = run(process.execPath, [join('node_modules', 'vitest', 'vitest.mjs'), 'run'], project);
    expect(vitest.status, vitest.out).toBe(0);
    expect(vitest.out).toMatch(/Tests\s+3 passed/);
    expect(existsSync(join(project, 'out', 'digits-m0', 'mnist_mlp_bnn.h'))).toBe(true);
  });

  it('types README\'s library example with the package\'s .d.ts', () => {
    const tsc = run(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'nodenext',
      '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--allowImportingTsExtensions',
      '--typeRoots', join(REPO, 'node_modules', '@types'), '--types', 'node', join('test', 'digits-model.test.ts')], project);
    expect(tsc.status, tsc.out).toBe(0);
  });
});
