/**
 * `bnnc flash` error paths, with the arduino-cli test double: not installed,
 * core missing (the install lines, with the board-manager URL), compile error
 * and upload error with arduino-cli's own diagnostics, and a verification
 * failure, after which arduino-cli is never called.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';
import { FAKE_CLI_DIR, resetFakeArduinoCli, run, useFakeArduinoCli, writeTinyModel } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-flash-err-'));
const model = writeTinyModel(join(dir, 'tiny.onnx'), 9);
const log = join(dir, 'arduino-cli.log');
const calls = useFakeArduinoCli(log);
const work = join(dir, 'work');
const flash = (...extra: string[]) => run('flash', model, '-o', work, ...extra);

beforeEach(() => resetFakeArduinoCli(log));

describe('bnnc flash error paths', () => {
  const withoutArduinoCli = async <T>(action: () => Promise<T>): Promise<T> => {
    const path = process.env.PATH;
    process.env.PATH = (path ?? '').split(delimiter).filter((d) => d !== FAKE_CLI_DIR).join(delimiter);
    try {
      return await action();
    } finally {
      process.env.PATH = path;
    }
  };

  it('arduino-cli not installed: said after the verification, as README orders the steps', async () => {
    const r = await withoutArduinoCli(() => flash('--target', 'avr-uno', '--no-upload'));
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/bit-exact/);
    expect(r.err).toMatch(/^error: 'arduino-cli' was not found on PATH/);
    expect(r.err).toContain('arduino-cli/latest/installation');
  });

  it('without arduino-cli, a missing model file is reported first', async () => {
    const r = await withoutArduinoCli(() => run('flash', join(dir, 'missing.onnx'), '--target', 'avr-uno', '--no-upload'));
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/missing\.onnx: no such file/);
    expect(r.err).not.toContain('arduino-cli');
  });

  it('a target without an Arduino board needs --fqbn', async () => {
    const r = await flash('--target', 'cortex-m55');
    expect(r.code).toBe(2);
    expect(r.err).toContain("target 'cortex-m55' has no Arduino board");
    expect(calls()).toEqual([]);
  });

  const stm32 = loadTarget('netduinoplus2');
  const skip = toolchainSkipReason(stm32);
  it.skipIf(skip !== null)(`core missing: QEMU verification ran, then the core install lines with the board-manager URL${skip ? ` (${skip})` : ''}`, async () => {
    process.env.FAKE_ARDUINO_CLI_COMPILE = 'no-core';
    const r = await flash('--target', 'netduinoplus2', '--kernel', 'portable');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/emulator vs netduinoplus2 C under QEMU +4\/4 bit-exact/);
    expect(r.err).toContain('error: the board package (core) STMicroelectronics:stm32 for STMicroelectronics:stm32:GenF4 is not installed');
    expect(r.err).toContain(`arduino-cli core update-index --additional-urls ${stm32.arduino!.boardManagerUrl}`);
    expect(r.err).toContain(`arduino-cli core install STMicroelectronics:stm32 --additional-urls ${stm32.arduino!.boardManagerUrl}`);
    expect(r.err).toContain("Platform 'STMicroelectronics:stm32' not found: platform not installed");
    expect(calls().map((c) => c[0])).toEqual(['compile']);
  });

  it('core missing for Arduino\'s own core: no board-manager URL', async () => {
    process.env.FAKE_ARDUINO_CLI_COMPILE = 'no-core';
    const r = await flash('--target', 'avr-uno');
    expect(r.code).toBe(2);
    expect(r.err).toContain('arduino-cli core install arduino:avr\n');
    expect(r.err).not.toContain('--additional-urls');
  });

  it('compile error: arduino-cli\'s compiler messages are kept, nothing uploaded', async () => {
    process.env.FAKE_ARDUINO_CLI_COMPILE = 'error';
    const r = await flash('--target', 'avr-uno', '--port', '/dev/ttyACM0');
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: compiling the sketch failed (arduino-cli exit 1) for arduino:avr:uno');
    expect(r.err).toContain("test_graph_selftest.ino:12:5: error: 'undefined_thing' was not declared in this scope");
    expect(r.err).toContain('Error during build: exit status 1');
    expect(calls().map((c) => c[0])).toEqual(['compile']);
  });

  it('arduino-cli without JSON output (too old) is a clear error', async () => {
    process.env.FAKE_ARDUINO_CLI_COMPILE = 'no-json';
    const r = await flash('--target', 'avr-uno', '--port', '/dev/ttyACM0');
    expect(r.code).toBe(2);
    expect(r.err).toContain('arduino-cli compile printed no JSON result');
    expect(r.err).toContain('0.19 or newer');
  });

  it('upload error: avrdude\'s message is kept, exit status 1', async () => {
    process.env.FAKE_ARDUINO_CLI_UPLOAD = 'error';
    const r = await flash('--target', 'avr-uno', '--port', '/dev/ttyACM0');
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: uploading to /dev/ttyACM0 failed (arduino-cli exit 1)');
    expect(r.err).toContain('can\'t open device "/dev/ttyACM0": Device or resource busy');
    expect(r.err).toContain('Failed uploading: uploading error: exit status 1');
    expect(r.err).toContain('close any serial monitor');
  });

  it('a failed verification (a miscompiling C compiler) stops before arduino-cli is called at all', async () => {
    const cc = process.env.CC;
    process.env.CC = join(FAKE_CLI_DIR, 'miscompiling-cc');
    process.env.FAKE_ARDUINO_CLI_BOARDS = JSON.stringify([{ address: '/dev/ttyACM0', fqbn: 'arduino:avr:uno', name: 'Arduino Uno' }]);
    try {
      const r = await flash('--target', 'avr-uno');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^error: verification failed, so nothing was compiled or uploaded/);
      expect(r.err).toContain('selftest failed');
      expect(calls()).toEqual([]);
    } finally {
      if (cc === undefined) delete process.env.CC;
      else process.env.CC = cc;
    }
  });
});
