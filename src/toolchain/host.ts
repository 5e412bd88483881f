/**
 * Host builds of generated C (verification level L2): the strict build
 * (-std=c99 -Wall -Wextra -Werror -pedantic) and the sanitizer build
 * (-fsanitize=address,undefined, every finding fatal).
 */
import { join } from 'node:path';
import { VerificationFailure } from '../errors.ts';
import { findExecutable, missingExecutableError, runProgram } from './process.ts';

export const STRICT_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-O2'];
export const SANITIZER_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-O1', '-g',
  '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer'];

export function hostCompiler(): string {
  const cc = process.env.CC ?? 'cc';
  if (!findExecutable(cc)) throw missingExecutableError(cc, ['gcc', 'libc6-dev']);
  return cc;
}

/** Compiles C sources in `dir` into `dir/<exe>`; compiler diagnostics are kept in the error. */
export async function buildHostProgram(dir: string, sources: string[], exe: string, flags: string[], defines: string[] = []): Promise<string> {
  const cc = hostCompiler();
  const out = join(dir, exe);
  const result = await runProgram(cc, [...flags, ...defines.map((d) => `-D${d}`), '-I', dir, ...sources.map((s) => join(dir, s)), '-o', out],
    { cwd: dir, timeoutMs: 120_000 });
  if (result.exitCode !== 0) {
    // The C bnnc generated is wrong: a failed verification (exit status 1), not bad input.
    throw new VerificationFailure(`the generated C does not compile with ${cc} ${flags.join(' ')}`, {
      where: dir,
      expected: 'warning-free C99',
      hint: `this is a bnnc bug; please report it with the compiler output:\n${(result.stderr || result.stdout).trim()}`,
    });
  }
  return out;
}

/** Runs a host program; a crash or sanitizer report becomes an error with its output. */
export async function runHostProgram(exe: string, args: string[], what: string): Promise<string> {
  const result = await runProgram(exe, args, { timeoutMs: 600_000, maxOutputBytes: 16 << 20 });
  if (result.exitCode !== 0) {
    throw new VerificationFailure(`${what} failed with exit status ${result.exitCode}`, {
      where: exe,
      hint: (result.stderr || result.stdout).trim().split('\n').slice(0, 30).join('\n'),
    });
  }
  return result.stdout;
}
