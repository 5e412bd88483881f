/** Options and steps shared by several commands. */
import type { Command } from 'commander';
import { BnncError } from '../errors.ts';
import { loadModel } from '../importers/index.ts';
import type { InputDType, LoweredModel, Model } from '../ir/types.ts';
import { PASSES, runPasses } from '../passes/index.ts';
import { dumpModel } from './dump.ts';

export interface ModelOptions {
  inputType?: string;
  dumpAfter?: string;
}

export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--input-type <type>', 'device input type: uint8, int8 or float32 (default: from the model, else float32)')
    .option('--dump-after <pass>', `print the model after a pass (${PASSES.map((p) => p.name).join(', ')})`);
}

function inputType(text: string | undefined): InputDType | undefined {
  if (text === undefined) return undefined;
  if (text === 'uint8' || text === 'int8' || text === 'float32') return text;
  throw new BnncError(`unknown input type "${text}"`, { where: '--input-type', expected: 'uint8, int8 or float32' });
}

export function loadAndLower(path: string, opts: ModelOptions, log: (s: string) => void): { model: Model; lowered: LoweredModel } {
  const model = loadModel(path, { inputType: inputType(opts.inputType) });
  const lowered = runPasses(model, opts.dumpAfter ? { dumpAfter: { pass: opts.dumpAfter, dump: (m) => log(dumpModel(m)) } } : {});
  return { model, lowered };
}

export function parsePositiveInt(text: string, option: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new BnncError(`"${text}" is not ${n > max ? `at most ${max}` : 'a positive integer'}`, { where: option, expected: `an integer in 1..${max}` });
  }
  return n;
}

/**
 * Longest timeout in seconds: Node's timers hold at most 2^31 - 1 ms and fire
 * at once beyond that, so a longer wait would give up immediately (about 24.8 days).
 */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
