/**
 * `bnnc monitor` on a real serial device without a board: the self-test
 * firmware for the STM32F405 (QEMU netduinoplus2) prints over USART1, QEMU
 * puts that USART on a pseudo-terminal (-serial pty), and bnnc opens it with
 * the serialport package. A firmware whose weights or expected digest were
 * tampered with reports FAIL. The line parser and the timeout/garbage
 * diagnoses are checked on bytes directly.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateC, selftestExpectations, type GeneratedFile } from '../../src/codegen/generate.ts';
import { selectKernel } from '../../src/codegen/kernels.ts';
import { judgeSelftest } from '../../src/cli/commands/monitor.ts';
import { loadModel } from '../../src/importers/index.ts';
import { buildUartSelftest } from '../../src/package/uartSelftest.ts';
import { embeddedVectors } from '../../src/package/vectors.ts';
import { runPasses } from '../../src/passes/index.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';
import { hex8, parseSelftestLine, SelftestScanner, startQemuSerialPty, type QemuSerialPty } from '../../src/toolchain/serial.ts';
import { run, writeTinyModel } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-monitor-'));
const modelPath = writeTinyModel(join(dir, 'tiny.onnx'), 21);
const lowered = runPasses(loadModel(modelPath));
const expected = selftestExpectations(lowered, embeddedVectors(lowered, {})).digest;
const line = (digest: number, mismatches: number, exp: number, verdict: string) =>
  `BNNC digest=${hex8(digest)} mismatches=${mismatches} expected=${hex8(exp)} ${verdict}`;

describe('the self-test line', () => {
  it('parses the line the sketches print, with trailing text and upper-case hex', () => {
    expect(parseSelftestLine('BNNC digest=5467C69D mismatches=0 expected=5467c69d PASS\r')).toMatchObject({
      digest: 0x5467c69d, mismatches: 0, expected: 0x5467c69d, verdict: 'PASS',
    });
    expect(parseSelftestLine('xx BNNC digest=00000001 mismatches=3 expected=00000002 FAIL extra')?.mismatches).toBe(3);
    expect(parseSelftestLine('BNNC digest=5467c69 mismatches=0 expected=5467c69d PASS')).toBeNull();
    expect(parseSelftestLine('BNNC digest=5467c69d mismatches=0 expected=5467c69d PASSED')).toBeNull();
    expect(parseSelftestLine('BNNC time_us=123 vectors=4')).toBeNull();
  });

  it('is found in a byte stream cut anywhere, after a partial first line', () => {
    const s = new SelftestScanner();
    const bytes = Buffer.from(`c69d mismatches=0 expected=x PASS\r\nBNNC time_us=9 vectors=4\r\n${line(1, 0, 1, 'PASS')}\r\n`);
    let found = null;
    for (let i = 0; i < bytes.length; i += 7) found ??= s.push(bytes.subarray(i, i + 7));
    expect(found?.digest).toBe(1);
    expect(s.lines).toHaveLength(3);
  });

  it('diagnoses a silent port, a wrong baud rate, a garbled line and a foreign sketch', () => {
    expect(new SelftestScanner().diagnosis('/dev/x', 5, 115200).message).toBe('no data from /dev/x in 5 s');
    const noise = new SelftestScanner();
    noise.push(Buffer.from([0xf0, 0x80, 0x00, 0xfe, 0x0d, 0x92, 0x41, 0xff, 0x13, 0x8c]));
    expect(noise.diagnosis('/dev/x', 5, 9600)).toEqual({
      message: '10 bytes from /dev/x in 5 s, 8 of them not text',
      hint: 'that is what a wrong baud rate looks like: the sketch uses 115200 (this run: --baud 9600)',
    });
    const garbled = new SelftestScanner();
    expect(garbled.push(Buffer.from('BNNC digest=54#7c69d mismatches=0 expected=5467c69d PASS\n'))).toBeNull();
    expect(garbled.diagnosis('/dev/x', 5, 115200).message).toContain('1 garbled self-test line(s) from /dev/x in 5 s, e.g. "BNNC digest=54#7c69d');
    const other = new SelftestScanner();
    other.push(Buffer.from('hello\nworld\n'));
    expect(other.diagnosis('/dev/x', 5, 115200).message).toBe('2 line(s) from /dev/x in 5 s, none of them a bnnc self-test line (last: "world")');
  });

  it('judges digest, mismatches, the firmware\'s own expectation and verdict', () => {
    const e = { digest: 0xabc, source: 'test' };
    expect(judgeSelftest(parseSelftestLine(line(0xabc, 0, 0xabc, 'PASS'))!, e)).toEqual([]);
    expect(judgeSelftest(parseSelftestLine(line(0xabd, 0, 0xabc, 'FAIL'))!, e)[0]).toMatch(/^the device computed digest 00000abd, the emulator 00000abc/);
    expect(judgeSelftest(parseSelftestLine(line(0xabc, 2, 0xabc, 'FAIL'))!, e)).toEqual(['2 embedded vector(s) gave outputs that differ from the emulator\'s']);
    expect(judgeSelftest(parseSelftestLine(line(0xabc, 0, 0xfff, 'FAIL'))!, e)[0]).toMatch(/^the firmware expects digest 00000fff/);
    expect(judgeSelftest(parseSelftestLine(line(0xabc, 0, 0xabc, 'FAIL'))!, e)).toEqual(['the device reports FAIL']);
  });

  it('monitor refuses to run without something to compare with, and bad options', async () => {
    expect((await run('monitor', '--port', '/dev/null')).err).toContain('nothing to compare the board with');
    expect((await run('monitor', '--port', '/dev/null', '--expect-digest', 'xyz')).err).toContain('"xyz" is not a digest');
    const r = await run('monitor', '--port', join(dir, 'no-such-port'), '--expect-digest', '1234');
    expect(r.code).toBe(2);
    expect(r.err).toContain('does not exist');
  });
});

const target = loadTarget('netduinoplus2');
const skip = toolchainSkipReason(target);
describe.skipIf(skip !== null)(`bnnc monitor on QEMU netduinoplus2's USART1 as a pseudo-terminal${skip ? ` (${skip})` : ''}`, () => {
  const running: QemuSerialPty[] = [];
  afterAll(async () => { await Promise.all(running.map((q) => q.stop())); });

  const name = 'tiny';
  const files = () => generateC(lowered, { name, vectors: embeddedVectors(lowered, {}), kernelVariant: selectKernel(target), target: target.name });
  async function boot(sources: GeneratedFile[], sub: string, extraArgs: string[] = []): Promise<string> {
    const fw = await buildUartSelftest(lowered, target, name, sources, join(dir, sub));
    const qemu = await startQemuSerialPty(target, fw.elf, { extraArgs });
    running.push(qemu);
    return qemu.path;
  }

  it('PASS: the digest read from the serial port equals the emulator\'s', async () => {
    const port = await boot(files(), 'good');
    expect(port).toMatch(/^\/dev\/pts\/\d+$/);
    const r = await run('monitor', '--port', port, '--model', modelPath, '--timeout', '20');
    expect(r.err).toBe('');
    expect(r.out).toContain(`  device     BNNC digest=${hex8(expected)} mismatches=0 expected=${hex8(expected)} PASS`);
    expect(r.out).toContain(`  emulator   digest=${hex8(expected)} (test_graph, 4 deterministic pseudo-random inputs)`);
    expect(r.out.split('\n').at(-1)).toBe('PASS');
    expect(r.code).toBe(0);
    const again = await run('monitor', '--port', port, '--expect-digest', `0x${hex8(expected)}`, '--timeout', '20');
    expect(again.code).toBe(0);
  });

  it('FAIL: one weight bit flipped in the firmware', async () => {
    const tampered = files().map((f) => (f.name === `${name}.c`
      ? { ...f, content: f.content.replace(/(_l1_weights\[\d+\] BNN_CONST_ATTR = \{\s*0x[0-9A-F]{7})([0-9A-F])/, (_, h: string, d: string) => h + (Number.parseInt(d, 16) ^ 1).toString(16).toUpperCase()) }
      : f));
    expect(tampered.find((f) => f.name === `${name}.c`)!.content).not.toBe(files().find((f) => f.name === `${name}.c`)!.content);
    const r = await run('monitor', '--port', await boot(tampered, 'weights'), '--model', modelPath, '--timeout', '20');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/mismatches=4 expected=[0-9a-f]{8} FAIL/);
    expect(r.out).toContain('the device computed digest');
    expect(r.out.split('\n').at(-1)).toBe('FAIL');
  });

  it('FAIL: the expected digest in the firmware tampered with', async () => {
    const tampered = files().map((f) => (f.name === `${name}.h`
      ? { ...f, content: f.content.replace(/(_SELFTEST_DIGEST 0x)[0-9A-F]{8}u/, '$1DEADBEEFu') }
      : f));
    const r = await run('monitor', '--port', await boot(tampered, 'digest'), '--model', modelPath, '--timeout', '20');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`BNNC digest=${hex8(expected)} mismatches=0 expected=deadbeef FAIL`);
    expect(r.out).toContain('the firmware expects digest deadbeef');
  });

  it('a silent port (CPU halted): a timeout that says what to check', async () => {
    const r = await run('monitor', '--port', await boot(files(), 'halted', ['-S']), '--model', modelPath, '--timeout', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: no data from \/dev\/pts\/\d+ in 1 s/);
    expect(r.err).toContain('is the self-test sketch');
  });

  it('the firmware source is the template, the driver is the harness\'s', () => {
    const main = readFileSync(join(dir, 'good', 'src', 'bnnc_uart_selftest_main.c'), 'utf8');
    expect(main).toContain(`${name}_selftest(&digest, &mismatches)`);
    expect(main).toContain('bnnc_uart_init();');
  });
});
