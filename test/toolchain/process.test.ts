import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BnncError } from '../../src/errors.ts';
import { aptPackagesFor, commandLine, findExecutable, runProgram } from '../../src/toolchain/process.ts';

const node = process.execPath;

describe('runProgram', () => {
  it('captures stdout, stderr and the exit code, without a shell', async () => {
    const r = await runProgram(node, ['-e', 'process.stdout.write("out $HOME"); process.stderr.write("err"); process.exit(3)']);
    expect(r).toMatchObject({ stdout: 'out $HOME', stderr: 'err', exitCode: 3 });
  });

  it('reports death by signal as 128 + signal number, like a shell', async () => {
    const r = await runProgram(node, ['-e', 'process.kill(process.pid, "SIGABRT")']);
    expect(r.exitCode).toBe(134);
  });

  it('names the apt package of a missing executable', async () => {
    const e = await runProgram('bnnc-no-such-tool', [], { aptPackages: ['bnnc-fake-package'] }).catch((x) => x);
    expect(e).toBeInstanceOf(BnncError);
    expect(e.message).toMatch(/'bnnc-no-such-tool' was not found on PATH/);
    expect(e.message).toMatch(/apt-get install -y bnnc-fake-package/);
  });

  it('kills a program at its timeout and shows its last output', async () => {
    const started = Date.now();
    const e = await runProgram(node, ['-e', 'console.log("still alive"); setInterval(() => {}, 1000)'], { timeoutMs: 300 })
      .catch((x) => x);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(e).toBeInstanceOf(BnncError);
    expect(e.message).toMatch(/timed out after 300 ms/);
    expect(e.message).toMatch(/still alive/);
  });

  it('kills a program that writes without end', async () => {
    // Each write waits for the previous one: a synchronous loop would never let Node flush the pipe.
    const writer = 'const s = "x".repeat(65536); (function w() { process.stdout.write(s, w); })()';
    const e = await runProgram(node, ['-e', writer], { maxOutputBytes: 1 << 20, timeoutMs: 20_000 })
      .catch((x) => x);
    expect(e).toBeInstanceOf(BnncError);
    expect(e.message).toMatch(/more than 1048576 bytes/);
  });
});

describe('helpers', () => {
  it('finds executables on PATH', () => {
    expect(findExecutable('node') ?? findExecutable(node)).not.toBeNull();
    expect(findExecutable('bnnc-no-such-tool')).toBeNull();
  });

  it('knows which Debian package holds each QEMU', () => {
    expect(aptPackagesFor('qemu-system-arm')).toEqual(['qemu-system-arm']);
    expect(aptPackagesFor('qemu-system-riscv32')).toEqual(['qemu-system-misc']);
    expect(aptPackagesFor('cc', ['clang'])).toEqual(['clang']);
  });

  it('quotes arguments only for display', () => {
    expect(commandLine('gcc', ['-DNAME="x y"', '-O2'])).toBe(`gcc '-DNAME="x y"' -O2`);
  });
});

describe('when bnnc itself is stopped', () => {
  /** A node process that runs `sleep <marker>` through runProgram, as bnnc runs QEMU, then waits. */
  function parentRunningSleep(marker: string) {
    const processModule = pathToFileURL(resolve('dist/toolchain/process.js')).href; // npm test builds dist/ first
    const script = `import { runProgram } from ${JSON.stringify(processModule)};
      runProgram('sleep', [${JSON.stringify(marker)}], { timeoutMs: 600_000 }); console.log('started');`;
    return spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  }

  const sleeping = (marker: string) => spawnSync('pgrep', ['-f', `^sleep ${marker}$`]).status === 0;

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`kills the programs it runs on ${signal}`, async () => {
      const marker = `${600 + Math.floor(Math.random() * 1000)}.${process.pid}`;
      const parent = parentRunningSleep(marker);
      await new Promise<void>((done) => parent.stdout!.once('data', () => done()));
      await expect.poll(() => sleeping(marker), { timeout: 5000 }).toBe(true);
      const exited = new Promise<number | null>((done) => parent.on('exit', (code) => done(code)));
      parent.kill(signal);
      expect(await exited).toBe(signal === 'SIGTERM' ? 143 : 130);
      await expect.poll(() => sleeping(marker), { timeout: 5000 }).toBe(false);
    });
  }
});
