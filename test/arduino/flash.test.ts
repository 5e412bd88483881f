/**
 * `bnnc flash` against the arduino-cli test double (test/fixtures/arduino-cli):
 * the exact arduino-cli command lines, the size check against the target
 * budget, and port selection. Every refusal is checked by the double's call
 * log: after it, no `upload` was run.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetFakeArduinoCli, run, useFakeArduinoCli, writeTinyModel } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-flash-'));
const model = writeTinyModel(join(dir, 'tiny.onnx'));
const log = join(dir, 'arduino-cli.log');
const calls = useFakeArduinoCli(log);
const work = join(dir, 'work');
const lib = join(work, 'test_graph');
const sketch = join(lib, 'examples', 'test_graph_selftest');
const build = join(work, 'build');
const UNO = { address: '/dev/ttyACM0', fqbn: 'arduino:avr:uno', name: 'Arduino Uno' };

const flash = (...extra: string[]) => run('flash', model, '--target', 'avr-uno', '-o', work, ...extra);
const commands = () => calls().map((c) => c.slice(0, 2).join(' '));

beforeEach(() => resetFakeArduinoCli(log));

describe('bnnc flash with the arduino-cli test double', () => {
  it('verifies, compiles, checks the sizes, finds the one board and uploads', async () => {
    process.env.FAKE_ARDUINO_CLI_BOARDS = JSON.stringify([UNO, { address: '/dev/ttyS0', fqbn: '' }]);
    const r = await flash();
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/emulator vs host C \(strict -Werror\) +4\/4 bit-exact/);
    expect(r.out).toContain('sketch: flash 4512 bytes (budget 32256, board maximum 253952), RAM 570 bytes (budget 2048, board maximum 8192)');
    expect(r.out).toContain('port: /dev/ttyACM0 (Arduino Uno)');
    expect(r.out).toContain(`bnnc monitor --port /dev/ttyACM0 --model ${model}`);
    expect(calls()).toEqual([
      ['compile', '--fqbn', 'arduino:avr:uno', '--format', 'json', '--build-path', build, '--library', lib, sketch],
      ['board', 'list', '--format', 'json'],
      ['upload', '-p', '/dev/ttyACM0', '--fqbn', 'arduino:avr:uno', '--input-dir', build, sketch],
    ]);
    expect(existsSync(join(lib, 'library.properties'))).toBe(true);
    expect(existsSync(join(sketch, 'test_graph_selftest.ino'))).toBe(true);
  });

  it('--port skips the board list; --fqbn replaces the target\'s board', async () => {
    const r = await flash('--port', '/dev/ttyUSB3', '--fqbn', 'arduino:avr:nano:cpu=atmega328old');
    expect(r.code).toBe(0);
    expect(commands()).toEqual(['compile --fqbn', 'upload -p']);
    expect(calls()[1]).toEqual(['upload', '-p', '/dev/ttyUSB3', '--fqbn', 'arduino:avr:nano:cpu=atmega328old', '--input-dir', build, sketch]);
  });

  it('reads the board list of arduino-cli 0.19..0.35 (a bare array) too, and ignores menu options when matching', async () => {
    process.env.FAKE_ARDUINO_CLI_BOARD_FORMAT = 'v0';
    process.env.FAKE_ARDUINO_CLI_BOARDS = JSON.stringify([{ ...UNO, address: '/dev/ttyACM7' }]);
    const r = await flash('--fqbn', 'arduino:avr:uno:foo=bar');
    expect(r.code).toBe(0);
    expect(calls().at(-1)?.slice(0, 3)).toEqual(['upload', '-p', '/dev/ttyACM7']);
  });

  it('no matching board: lists what was found and uploads nothing', async () => {
    process.env.FAKE_ARDUINO_CLI_BOARDS = JSON.stringify([{ address: '/dev/ttyUSB0', fqbn: '' }, { address: '/dev/ttyACM1', fqbn: 'arduino:avr:mega', name: 'Arduino Mega' }]);
    const r = await flash();
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: no connected board matches arduino:avr:uno');
    expect(r.err).toContain('/dev/ttyUSB0 [Serial Port (USB)]: unknown board');
    expect(r.err).toContain('/dev/ttyACM1 [Serial Port (USB)]: Arduino Mega (arduino:avr:mega)');
    expect(r.err).toContain('--port');
    expect(commands()).toEqual(['compile --fqbn', 'board list']);
  });

  it('no ports at all', async () => {
    const r = await flash();
    expect(r.code).toBe(2);
    expect(r.err).toContain('arduino-cli board list found no ports at all');
    expect(commands()).not.toContain('upload -p');
  });

  it('two matching boards: names both and uploads nothing', async () => {
    process.env.FAKE_ARDUINO_CLI_BOARDS = JSON.stringify([UNO, { ...UNO, address: '/dev/ttyACM1' }]);
    const r = await flash();
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: 2 connected boards match arduino:avr:uno: /dev/ttyACM0, /dev/ttyACM1');
    expect(r.err).toContain('choose one with --port');
    expect(commands()).toEqual(['compile --fqbn', 'board list']);
  });

  it('over the RAM budget: refused after the compile, no upload', async () => {
    process.env.FAKE_ARDUINO_CLI_DATA = '2100';
    process.env.FAKE_ARDUINO_CLI_BOARDS = JSON.stringify([UNO]);
    const r = await flash();
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: the sketch does not fit avr-uno: needs 2100 bytes of RAM (without stack), avr-uno has 2048; nothing was uploaded');
    expect(commands()).toEqual(['compile --fqbn']);
  });

  it('over the flash budget, and over the board\'s own maximum', async () => {
    process.env.FAKE_ARDUINO_CLI_TEXT = '33000';
    process.env.FAKE_ARDUINO_CLI_TEXT_MAX = '32256';
    const r = await flash('--port', '/dev/ttyACM0');
    expect(r.code).toBe(2);
    expect(r.err).toContain('needs 33000 bytes of flash, avr-uno has 32256; needs 33000 bytes of flash, the board has 32256');
    expect(commands()).toEqual(['compile --fqbn']);
  });

  it('--no-upload stops after the size check', async () => {
    const r = await flash('--no-upload');
    expect(r.code).toBe(0);
    expect(r.out).toContain('not uploaded (--no-upload)');
    expect(commands()).toEqual(['compile --fqbn']);
  });

  it('"detected_ports": null (discovery failed) means no ports, and arduino-cli\'s warnings are shown', async () => {
    process.env.FAKE_ARDUINO_CLI_BOARD_FORMAT = 'discovery-failed';
    const r = await flash();
    expect(r.code).not.toBe(0); // 1 or 2 (usage and bad input) by the exit status rules
    expect(r.err).toContain('warning: arduino-cli board list: Error starting discovery: discovery builtin:serial-discovery not found');
    expect(r.err).toContain('error: no connected board matches arduino:avr:uno');
    expect(r.err).toContain('arduino-cli board list found no ports at all\narduino-cli warned:\n    Error starting discovery');
    expect(r.err).not.toContain('listing the connected boards failed');
  });

  it('a board sizer with its own section names: shown, held to the board\'s maxima, the budget check said to be skipped', async () => {
    process.env.FAKE_ARDUINO_CLI_SECTIONS = JSON.stringify([{ name: 'FLASH', size: 9000, max_size: 8126464 }, { name: 'RAM1', size: 300, max_size: 524288 }]);
    const ok = await flash('--no-upload');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('sketch: FLASH 9000 bytes (board maximum 8126464), RAM1 300 bytes (board maximum 524288) (arduino-cli: sections of the board\'s sizer');
    expect(ok.err).toContain('warning: arduino-cli reported no flash (text) or RAM (data) size for arduino:avr:uno');
    expect(ok.err).toContain('the board\'s sizer reports FLASH, RAM1');
    process.env.FAKE_ARDUINO_CLI_SECTIONS = JSON.stringify([{ name: 'FLASH', size: 9000, max_size: 8000 }]);
    const over = await flash('--no-upload');
    expect(over.code).not.toBe(0);
    expect(over.err).toContain('needs 9000 bytes of FLASH, the board has 8000');
  });

  it('text without data (a board that states no RAM maximum): flash is still checked', async () => {
    process.env.FAKE_ARDUINO_CLI_SECTIONS = JSON.stringify([{ name: 'text', size: 40000, max_size: 253952 }]);
    const r = await flash('--no-upload');
    expect(r.code).not.toBe(0); // 1 or 2 (usage and bad input) by the exit status rules
    expect(r.err).toContain('needs 40000 bytes of flash, avr-uno has 32256');
    expect(r.err).toContain('no RAM (data) size');
  });
});
