/**
 * Serial ports: reading a board's self-test line (the `serialport` package),
 * and QEMU with a guest UART on a pseudo-terminal, which is a real serial
 * device for everything on the host side (tests of `bnnc monitor` without a
 * board).
 *
 * The self-test line, printed by the Arduino sketch, the plain-C host program
 * and the bare-metal UART firmware alike:
 *   BNNC digest=<8 hex> mismatches=<decimal> expected=<8 hex> PASS|FAIL
 */
import { spawn } from 'node:child_process';
import { BnncError } from '../errors.ts';
import type { Target } from '../targets/types.ts';
import { aptPackagesFor, commandLine, findExecutable, missingExecutableError } from './process.ts';

export interface SelftestLine {
  digest: number;
  mismatches: number;
  expected: number;
  /** The device's own verdict. */
  verdict: 'PASS' | 'FAIL';
  text: string;
}

const SELFTEST_LINE = /BNNC digest=([0-9a-fA-F]{8}) mismatches=(\d{1,10}) expected=([0-9a-fA-F]{8}) (PASS|FAIL)(?:\s|$)/;

/** The self-test line's fields, or null if `line` is not one. */
export function parseSelftestLine(line: string): SelftestLine | null {
  const m = SELFTEST_LINE.exec(line);
  if (!m) return null;
  return {
    digest: Number.parseInt(m[1], 16) >>> 0,
    mismatches: Number(m[2]),
    expected: Number.parseInt(m[3], 16) >>> 0,
    verdict: m[4] as 'PASS' | 'FAIL',
    text: m[0].trim(),
  };
}

export function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

/**
 * Splits a byte stream into lines (\n, \r\n or a lone \r) and keeps the
 * statistics an error message needs: bytes seen, bytes that are not printable
 * ASCII (a wrong baud rate produces mostly those), lines, and lines that start
 * like a self-test line but do not parse (noise on the wire).
 */
export class SelftestScanner {
  bytes = 0;
  nonText = 0;
  lines: string[] = [];
  malformed: string[] = [];
  private partial = '';
  private static readonly MAX_LINE = 4096;

  /** Feeds bytes; returns the first complete self-test line in them, if any. */
  push(chunk: Uint8Array): SelftestLine | null {
    let found: SelftestLine | null = null;
    for (const byte of chunk) {
      this.bytes++;
      if (byte === 0x0a || byte === 0x0d) {
        found ??= this.endLine();
        continue;
      }
      if (byte !== 0x09 && (byte < 0x20 || byte > 0x7e)) this.nonText++;
      if (this.partial.length < SelftestScanner.MAX_LINE) this.partial += String.fromCharCode(byte);
    }
    return found;
  }

  private endLine(): SelftestLine | null {
    const line = this.partial;
    this.partial = '';
    if (line.trim() === '') return null;
    this.lines.push(line);
    if (this.lines.length > 50) this.lines.shift();
    const parsed = parseSelftestLine(line);
    if (!parsed && line.includes('BNNC digest')) this.malformed.push(line);
    return parsed;
  }

  /** Why no self-test line was found, for the timeout error. */
  diagnosis(port: string, seconds: number, baud: number): { message: string; hint: string } {
    const show = (l: string) => JSON.stringify(l.length > 120 ? `${l.slice(0, 120)}...` : l);
    if (this.bytes === 0) {
      return {
        message: `no data from ${port} in ${seconds} s`,
        hint: 'is the self-test sketch (examples/<name>_selftest) running on the board, and is this its port? '
          + 'It prints every 3 s; some boards need a reset after the port is opened',
      };
    }
    if (this.nonText > this.bytes / 10) {
      return {
        message: `${this.bytes} bytes from ${port} in ${seconds} s, ${this.nonText} of them not text`,
        hint: `that is what a wrong baud rate looks like: the sketch uses 115200 (this run: --baud ${baud})`,
      };
    }
    if (this.malformed.length > 0) {
      return {
        message: `${this.malformed.length} garbled self-test line(s) from ${port} in ${seconds} s, e.g. ${show(this.malformed[0])}`,
        hint: 'noise on the serial line, or a firmware that prints a different format; try again or check the wiring',
      };
    }
    const last = this.lines.at(-1) ?? this.partial;
    return {
      message: `${this.lines.length} line(s) from ${port} in ${seconds} s, none of them a bnnc self-test line (last: ${show(last)})`,
      hint: 'is the self-test sketch (examples/<name>_selftest) the one running on the board?',
    };
  }
}

export interface ReadOptions {
  baudRate: number;
  timeoutMs: number;
}

export interface ReadResult {
  line: SelftestLine;
  /** Lines before it (at most the last 50). */
  before: string[];
}

/** Turns an error from opening a serial port into a message that says what to do. */
function openError(port: string, e: Error): BnncError {
  const text = e.message;
  if (/ENOENT|No such file/i.test(text)) {
    return new BnncError(`serial port ${port} does not exist`, {
      hint: 'list the ports with: arduino-cli board list (Linux: usually /dev/ttyACM0 or /dev/ttyUSB0)',
    });
  }
  if (/EACCES|Permission denied/i.test(text)) {
    return new BnncError(`no permission to open ${port}`, {
      hint: 'on Linux add yourself to the dialout group (sudo usermod -aG dialout $USER) and log in again',
    });
  }
  if (/EBUSY|busy|lock/i.test(text)) {
    return new BnncError(`serial port ${port} is in use by another program`, { hint: 'close the other serial monitor' });
  }
  return new BnncError(`cannot open serial port ${port}: ${text}`);
}

/**
 * Opens `port`, reads until a self-test line arrives or the timeout passes,
 * closes the port. Lines that are not the self-test line are skipped (the
 * first line after opening is often cut).
 */
export async function readSelftestLine(port: string, opts: ReadOptions): Promise<ReadResult> {
  const { SerialPort } = await import('serialport');
  const serial = new SerialPort({ path: port, baudRate: opts.baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => serial.open((e) => (e ? reject(openError(port, e)) : resolve())));
  const scanner = new SelftestScanner();
  try {
    return await new Promise<ReadResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        const d = scanner.diagnosis(port, opts.timeoutMs / 1000, opts.baudRate);
        reject(new BnncError(d.message, { hint: d.hint }));
      }, opts.timeoutMs);
      serial.on('data', (chunk: Buffer) => {
        const line = scanner.push(chunk);
        if (line) {
          clearTimeout(timer);
          resolve({ line, before: scanner.lines.slice(0, -1) });
        }
      });
      serial.on('error', (e: Error) => {
        clearTimeout(timer);
        reject(new BnncError(`reading ${port} failed: ${e.message}`));
      });
      serial.on('close', () => {
        clearTimeout(timer);
        reject(new BnncError(`${port} was closed while waiting for the self-test line (board unplugged or reset?)`));
      });
    });
  } finally {
    serial.removeAllListeners('close');
    if (serial.isOpen) await new Promise<void>((resolve) => serial.close(() => resolve()));
  }
}

/** A running QEMU whose first guest UART is a pseudo-terminal. */
export interface QemuSerialPty {
  /** /dev/pts/N */
  path: string;
  /** QEMU's own messages so far (stdout and stderr). */
  stderr(): string;
  stop(): Promise<void>;
}

const PTY_LINE = /char device redirected to (\/dev\/pts\/\d+)/;

/**
 * Starts `elf` under QEMU with `-serial pty` (the guest's first UART; on
 * netduinoplus2 that is USART1) and resolves once QEMU has printed which
 * pseudo-terminal it chose. extraArgs go before -kernel (e.g. -S: start
 * with the CPU halted, a silent port). Semihosting stays on, so a fault still ends QEMU
 * with a message. The caller must stop() it: the firmware never exits.
 */
export async function startQemuSerialPty(target: Target, elf: string, opts: { timeoutMs?: number; extraArgs?: string[] } = {}): Promise<QemuSerialPty> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const qemu = target.qemu;
  if (!qemu) throw new BnncError(`target '${target.name}' has no QEMU machine`, { file: target.file, where: 'qemu' });
  if (!findExecutable(qemu.system)) throw missingExecutableError(qemu.system, aptPackagesFor(qemu.system));
  const args = ['-M', qemu.machine, ...(qemu.cpu ? ['-cpu', qemu.cpu] : []), '-display', 'none', '-monitor', 'none',
    '-serial', 'pty', '-semihosting-config', 'enable=on,target=native', ...(opts.extraArgs ?? []), '-kernel', elf];
  const child = spawn(qemu.system, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = ''; // QEMU 7.2 prints the pty line on stdout, other versions on stderr
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const path = await new Promise<string>((resolve, reject) => {
    const fail = (message: string) => {
      void stop();
      reject(new BnncError(message, { where: commandLine(qemu.system, args), hint: output.trim() || undefined }));
    };
    const timer = setTimeout(() => fail(`QEMU did not report its pseudo-terminal within ${timeoutMs} ms`), timeoutMs);
    const collect = (c: Buffer) => {
      output += c.toString('utf8');
      const m = PTY_LINE.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (e) => { clearTimeout(timer); fail(`cannot start QEMU: ${e.message}`); });
    child.on('close', (code) => { clearTimeout(timer); fail(`QEMU exited (status ${code}) before opening a pseudo-terminal`); });
  });
  return { path, stderr: () => output, stop };
}
