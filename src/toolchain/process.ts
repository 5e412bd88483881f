/**
 * Running external programs (compilers, QEMU): always with an argument
 * array, never through a shell, always with a timeout, and with failures
 * turned into BnncErrors that say what to install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { BnncError, type ErrorContext } from '../errors.ts';
import { cleanUpOnExit } from '../files/temporary.ts';

export interface RunOptions {
  /** Kill the program after this many milliseconds (default 60 s). */
  timeoutMs?: number;
  cwd?: string;
  /** Debian packages that provide the executable, for the "not found" hint. */
  aptPackages?: readonly string[];
  /** Kill the program once it has written this many bytes in total (default 64 MiB). */
  maxOutputBytes?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit status; 128 + signal number when the program was killed by a signal (as a shell reports it). */
  exitCode: number;
  /** The command as one line, for messages only (it is never run through a shell). */
  command: string;
}

/** Debian packages of executables bnnc runs that do not come from a target's compiler block. */
const KNOWN_PACKAGES: Record<string, string[]> = {
  'qemu-system-arm': ['qemu-system-arm'],
  'qemu-system-riscv32': ['qemu-system-misc'],
  'qemu-system-xtensa': ['qemu-system-misc'],
  'arm-none-eabi-gcc': ['gcc-arm-none-eabi', 'libnewlib-arm-none-eabi'],
  'riscv64-unknown-elf-gcc': ['gcc-riscv64-unknown-elf', 'picolibc-riscv64-unknown-elf'],
  'xtensa-lx106-elf-gcc': ['gcc-xtensa-lx106'],
  'avr-gcc': ['gcc-avr', 'avr-libc'],
  cc: ['gcc', 'libc6-dev'],
  gcc: ['gcc', 'libc6-dev'],
};

/** Debian packages that provide `executable`: the caller's list first, then bnnc's own map. */
export function aptPackagesFor(executable: string, fromTarget?: readonly string[]): string[] {
  if (fromTarget && fromTarget.length > 0) return [...fromTarget];
  return KNOWN_PACKAGES[executable] ?? [];
}

/** Absolute path of `executable` on PATH, or null. */
export function findExecutable(executable: string): string | null {
  const candidates = isAbsolute(executable) || executable.includes('/')
    ? [executable]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, executable));
  for (const path of candidates) {
    try {
      accessSync(path, fsConstants.X_OK);
      return path;
    } catch {
      // not here; try the next PATH entry
    }
  }
  return null;
}

/** "install it with: apt-get install -y ..." for the packages that provide `executable`. */
export function installHint(executable: string, aptPackages?: readonly string[]): string {
  const pkgs = aptPackagesFor(executable, aptPackages);
  return pkgs.length > 0
    ? `install it with: apt-get install -y ${pkgs.join(' ')}`
    : 'install it and make sure it is on PATH';
}

/** The error for an executable that is not installed. */
export function missingExecutableError(executable: string, aptPackages?: readonly string[]): BnncError {
  return new BnncError(`'${executable}' was not found on PATH`, {
    expected: 'an installed executable',
    hint: installHint(executable, aptPackages),
  });
}

/** Quote an argument for display, so a failing command can be copied into a shell. */
function displayArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(file: string, args: readonly string[]): string {
  return [file, ...args].map(displayArg).join(' ');
}

/**
 * The programs running now. When bnnc ends (SIGTERM from a CI timeout, Ctrl-C,
 * an error), they are killed: a QEMU guest that never exits would otherwise
 * run on without the timeout that was guarding it.
 */
const running = new Set<ChildProcess>();

function killRunning(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Run `file` with `args`; resolve with the output and exit code whatever the code is. */
export function runProgram(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxOutput = opts.maxOutputBytes ?? 64 * 1024 * 1024;
  const command = commandLine(file, args);
  return new Promise((resolvePromise, reject) => {
    // stdin is /dev/null: QEMU's stdio chardev must not wait for or grab a terminal.
    const child = spawn(file, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanUpOnExit(killRunning);
    running.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let total = 0;
    // Why we killed the child, if we did; turned into an error once it has exited.
    let failure: { message: string; context: ErrorContext } | null = null;

    const kill = (message: string, context: ErrorContext) => {
      failure ??= { message, context };
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`timed out after ${timeoutMs} ms`, {
      where: command,
      hint: 'the program may be stuck in a loop; under QEMU, a guest that never calls hal_exit runs forever',
    }), timeoutMs);

    const collect = (sink: Buffer[]) => (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxOutput) kill(`wrote more than ${maxOutput} bytes of output`, { where: command });
      else sink.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));

    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      running.delete(child);
      if (e.code === 'ENOENT') reject(missingExecutableError(file, opts.aptPackages));
      else reject(new BnncError(`cannot run '${file}': ${e.message}`, { where: command }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (failure) {
        const output = outputTail(Buffer.concat(out).toString('utf8'), Buffer.concat(err).toString('utf8'));
        const hint = [failure.context.hint, output].filter(Boolean).join('\n');
        reject(new BnncError(failure.message, { ...failure.context, hint: hint || undefined }));
        return;
      }
      resolvePromise({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code ?? 128 + (signal ? osConstants.signals[signal] : 0),
        command,
      });
    });
  });
}

/** The last lines of a killed program's output, to show what it was doing. */
function outputTail(stdout: string, stderr: string): string {
  const tail = (text: string) => {
    const lines = text.trimEnd().split('\n').slice(-10).join('\n');
    return lines.length > 2000 ? `...${lines.slice(-2000)}` : lines; // output without newlines
  };
  return [stdout && `stdout (last lines):\n${tail(stdout)}`, stderr && `stderr (last lines):\n${tail(stderr)}`]
    .filter(Boolean)
    .join('\n');
}
