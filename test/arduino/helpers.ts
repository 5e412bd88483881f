/** Shared by the test/arduino tests: the CLI with captured output, a tiny model, the arduino-cli test double. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { PROJECT_ROOT } from '../../src/version.ts';
import { binaryMlp } from '../helpers/onnxBuilder.ts';

export const FAKE_CLI_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'arduino-cli');

export async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'bnnc', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A 16-8-4 binary MLP with uint8 inputs: small enough for an Arduino Uno even with its weights in RAM. */
export function writeTinyModel(path: string, seed = 5): string {
  writeFileSync(path, binaryMlp({ widths: [16, 8, 4], seed, input: 'uint8' }));
  return path;
}

/** Puts the test double first on PATH and logs its calls to `log`; returns a reader of the calls. */
export function useFakeArduinoCli(log: string): () => string[][] {
  process.env.PATH = `${FAKE_CLI_DIR}${delimiter}${process.env.PATH ?? ''}`;
  process.env.FAKE_ARDUINO_CLI_LOG = log;
  return () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : []);
}

/** Clears the test double's FAKE_ARDUINO_CLI_* settings (not the log). */
export function resetFakeArduinoCli(log: string): void {
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('FAKE_ARDUINO_CLI_') && key !== 'FAKE_ARDUINO_CLI_LOG') delete process.env[key];
  }
  writeFileSync(log, '');
}
