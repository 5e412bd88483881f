import { describe, expect, it } from 'vitest';
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
