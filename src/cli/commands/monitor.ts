/**
 * bnnc monitor --port P (--model M | --expect-digest HEX): verification level
 * L4. Reads the self-test line a board prints (examples/<name>_selftest) and
 * compares its digest and mismatch count with the emulator's for the same
 * vectors `bnnc build`/`bnnc flash` embedded (--data as given there).
 */
import type { Command } from 'commander';
import { selftestExpectations } from '../../codegen/generate.ts';
import { BnncError, EXIT } from '../../errors.ts';
import { SKETCH_BAUD } from '../../package/context.ts';
import { describeVectors, embeddedVectors } from '../../package/vectors.ts';
import { hex8, readSelftestLine, type SelftestLine } from '../../toolchain/serial.ts';
import { addDataOptions, dataOptions, loadAndLower, MAX_TIMEOUT_SECONDS, parsePositiveInt, type DataCliOptions, type ModelOptions } from '../common.ts';
import type { CliIo } from '../io.ts';

interface MonitorOptions extends ModelOptions, DataCliOptions {
  port: string;
  baud: string;
  model?: string;
  expectDigest?: string;
  timeout: string;
}

export interface Expectation {
  digest: number;
  /** Where the digest came from, for the report. */
  source: string;
}

/** What disagrees between the device's line and the emulator; empty = PASS. */
export function judgeSelftest(line: SelftestLine, expected: Expectation): string[] {
  const problems: string[] = [];
  if (line.digest !== expected.digest) {
    problems.push(`the device computed digest ${hex8(line.digest)}, the emulator ${hex8(expected.digest)}: `
      + 'its outputs differ from the emulator\'s (or it runs another model, or other self-test vectors)');
  }
  if (line.mismatches !== 0) problems.push(`${line.mismatches} embedded vector(s) gave outputs that differ from the emulator's`);
  if (line.expected !== expected.digest) {
    problems.push(`the firmware expects digest ${hex8(line.expected)}, the emulator computes ${hex8(expected.digest)}: `
      + 'it was built from another model or other self-test vectors (--data), or edited');
  }
  if (line.verdict !== 'PASS' && problems.length === 0) problems.push('the device reports FAIL');
  return problems;
}

function parseDigest(text: string): number {
  const m = /^(?:0x)?([0-9a-fA-F]{1,8})$/.exec(text.trim());
  if (!m) throw new BnncError(`"${text}" is not a digest`, { where: '--expect-digest', expected: 'up to 8 hex digits, e.g. 5467c69d' });
  return Number.parseInt(m[1], 16) >>> 0;
}

function expectation(opts: MonitorOptions, io: CliIo): Expectation {
  if (opts.model && opts.expectDigest) {
    throw new BnncError('give either --model or --expect-digest, not both', { where: 'bnnc monitor' });
  }
  if (opts.expectDigest) return { digest: parseDigest(opts.expectDigest), source: '--expect-digest' };
  if (!opts.model) {
    throw new BnncError('nothing to compare the board with', {
      where: 'bnnc monitor', expected: '--model <the model file> (with the --data you gave bnnc build/flash, if any) or --expect-digest <hex>',
    });
  }
  const { lowered } = loadAndLower(opts.model, opts, io.out);
  const source = { data: opts.data, ...dataOptions(opts) };
  const vectors = embeddedVectors(lowered, source);
  return { digest: selftestExpectations(lowered, vectors).digest, source: `${lowered.name}, ${describeVectors(source, vectors.length)}` };
}

export function registerMonitor(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command('monitor')
    .description('read the self-test sketch\'s line from a serial port and compare its digest with the emulator\'s')
    .requiredOption('--port <port>', 'serial port, e.g. /dev/ttyACM0, COM3, or a pseudo-terminal')
    .option('--baud <rate>', 'baud rate (the generated sketches use 115200)', String(SKETCH_BAUD))
    .option('--model <model>', 'the model the board was built from: the emulator computes the expected digest');
  addDataOptions(cmd, { required: false, purpose: 'the same --data (and options) as given to bnnc build/flash: its first samples are the self-test vectors', limit: false })
    .option('--input-type <type>', 'the --input-type given to bnnc build/flash')
    .option('--input-scale <s>', 'the --input-scale given to bnnc build/flash')
    .option('--input-zero-point <z>', 'the --input-zero-point given to bnnc build/flash')
    .option('--expect-digest <hex>', 'compare with this digest instead of a model\'s')
    .option('--timeout <seconds>', 'give up after this many seconds without a self-test line', '30')
    .action(async (opts: MonitorOptions) => {
      const expected = expectation(opts, io);
      const baudRate = parsePositiveInt(opts.baud, '--baud');
      const seconds = parsePositiveInt(opts.timeout, '--timeout', MAX_TIMEOUT_SECONDS);
      io.out(`bnnc monitor: ${opts.port} at ${baudRate} baud, waiting up to ${seconds} s for the self-test line`);
      const { line } = await readSelftestLine(opts.port, { baudRate, timeoutMs: seconds * 1000 });
      const problems = judgeSelftest(line, expected);
      io.out(`  device     ${line.text}`);
      io.out(`  emulator   digest=${hex8(expected.digest)} (${expected.source})`);
      for (const p of problems) io.out(`  ${p}`);
      io.out(problems.length === 0 ? 'PASS' : 'FAIL');
      if (problems.length > 0) setExit(EXIT.verificationFailed);
    });
}
