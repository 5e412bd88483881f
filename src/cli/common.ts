/** Options and steps shared by several commands. */
import type { Command } from 'commander';
import { parseScale } from '../data/index.ts';
import { BnncError } from '../errors.ts';
import { loadModel } from '../importers/index.ts';
import type { InputDType, LoweredModel, Model } from '../ir/types.ts';
import { PASSES, runPasses } from '../passes/index.ts';
import { dumpModel } from './dump.ts';

export interface ModelOptions {
  inputType?: string;
  inputScale?: string;
  inputZeroPoint?: string;
  dumpAfter?: string;
}

export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--input-type <type>', 'device input type: uint8, int8 or float32 (default: from the model, else float32)')
    .option('--input-scale <s>', 'Keras models: model input = S * (device value - Z), e.g. 1/127.5 (Larq\'s MNIST tutorial)')
    .option('--input-zero-point <z>', 'Keras models: the Z of --input-scale, e.g. 127.5')
    .option('--dump-after <pass>', `print the model after a pass (${PASSES.map((p) => p.name).join(', ')})`);
}

function inputType(text: string | undefined): InputDType | undefined {
  if (text === undefined) return undefined;
  if (text === 'uint8' || text === 'int8' || text === 'float32') return text;
  throw new BnncError(`unknown input type "${text}"`, { where: '--input-type', expected: 'uint8, int8 or float32' });
}

export function loadAndLower(path: string, opts: ModelOptions, log: (s: string) => void): { model: Model; lowered: LoweredModel } {
  const model = loadModel(path, {
    inputType: inputType(opts.inputType),
    inputScale: opts.inputScale === undefined ? undefined : parseScale(opts.inputScale, '--input-scale'),
    inputZeroPoint: opts.inputZeroPoint === undefined ? undefined : parseScale(opts.inputZeroPoint, '--input-zero-point'),
  });
  const lowered = runPasses(model, opts.dumpAfter ? { dumpAfter: { pass: opts.dumpAfter, dump: (m) => log(dumpModel(m)) } } : {});
  return { model, lowered };
}

export function parsePositiveInt(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new BnncError(`"${text}" is not a positive integer`, { where: option, expected: 'an integer >= 1' });
  return n;
}
