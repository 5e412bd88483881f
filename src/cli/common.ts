/** Options and steps shared by several commands. */
import type { Command } from 'commander';
import { modelPrefix, type ModelPrefix } from '../codegen/sanitize.ts';
import { BnncError } from '../errors.ts';
import { loadModel } from '../importers/index.ts';
import type { InputDType, LoweredModel, Model } from '../ir/types.ts';
import { PASSES, runPasses } from '../passes/index.ts';
import { applyFault, FAULT_VARIABLE, faultFromEnvironment } from '../verify/faults.ts';
import { dumpModel } from './dump.ts';
import { processIo } from './io.ts';

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

export function loadAndLower(path: string, opts: ModelOptions, log: (s: string) => void, warn: (s: string) => void = processIo.err): { model: Model; lowered: LoweredModel } {
  const model = loadModel(path, { inputType: inputType(opts.inputType) });
  const lowered = runPasses(model, opts.dumpAfter ? { dumpAfter: { pass: opts.dumpAfter, dump: (m) => log(dumpModel(m)) } } : {});
  // A testing aid (docs/fault-injection.md): one fault after the passes, so the emulator and the generated C both carry it.
  const fault = faultFromEnvironment();
  if (!fault) return { model, lowered };
  warn(`warning: ${FAULT_VARIABLE}=${process.env[FAULT_VARIABLE]}: a fault is injected into the lowered model (a testing aid; unset it for real builds)`);
  return { model, lowered: applyFault(lowered, fault) };
}

export function parsePositiveInt(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new BnncError(`"${text}" is not a positive integer`, { where: option, expected: 'an integer >= 1' });
  return n;
}

/** The C prefix of the generated files: --name or the model's name, sanitised, with a suffix when the runtime reserves it. */
export function cPrefix(model: { name: string }, nameOption?: string): ModelPrefix {
  return modelPrefix(nameOption ?? model.name);
}

/** One line saying why the prefix is not the sanitised name, or null. */
export function reservedPrefixNote(p: ModelPrefix): string | null {
  return p.reserved ? `C prefix ${p.prefix}: ${p.reserved} is reserved by the bnnc runtime (its files and header guards)` : null;
}
