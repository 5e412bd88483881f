/** Options and steps shared by several commands. */
import type { Command } from 'commander';
import { loadBnnModel, type BnnModel, type DataOptions } from '../api.ts';
import { parseLabelColumn, parseScale } from '../data/index.ts';
import { BnncError } from '../errors.ts';
import type { InputDType, LoweredModel, Model } from '../ir/types.ts';
import { PASSES } from '../passes/index.ts';
import { dumpModel } from './dump.ts';
import { processIo } from './io.ts';

export interface ModelOptions {
  inputType?: string;
  inputScale?: string;
  inputZeroPoint?: string;
  dumpAfter?: string;
}

export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--input-type <type>', 'device input type: uint8, int8 or float32 (default: from the model, else float32)')
    .option('--input-scale <s>', 'declared input quantization: model input = S * (device value - Z), e.g. 1/127.5 (overrides the ONNX metadata bnnc.input_scale)')
    .option('--input-zero-point <z>', 'the Z of --input-scale, any real number, e.g. 127.5 (default 0)')
    .option('--dump-after <pass>', `print the model after a pass (${PASSES.map((p) => p.name).join(', ')})`);
}

function inputType(text: string | undefined): InputDType | undefined {
  if (text === undefined) return undefined;
  if (text === 'uint8' || text === 'int8' || text === 'float32') return text;
  throw new BnncError(`unknown input type "${text}"`, { where: '--input-type', expected: 'uint8, int8 or float32' });
}

export function loadAndLower(path: string, opts: ModelOptions, log: (s: string) => void, warn: (s: string) => void = processIo.err): { model: Model; lowered: LoweredModel; bnn: BnnModel } {
  const bnn = loadBnnModel(path, {
    inputType: inputType(opts.inputType),
    inputScale: opts.inputScale === undefined ? undefined : parseScale(opts.inputScale, '--input-scale'),
    inputZeroPoint: opts.inputZeroPoint === undefined ? undefined : parseScale(opts.inputZeroPoint, '--input-zero-point'),
    dumpAfter: opts.dumpAfter ? { pass: opts.dumpAfter, dump: (m) => log(dumpModel(m)) } : undefined,
    warn,
  });
  return { model: bnn.model, lowered: bnn.lowered, bnn };
}

/** The data options of verify, predict, build, flash and monitor, as commander gives them. */
export interface DataCliOptions {
  data?: string;
  limit?: string;
  dataScale?: string;
  dataOffset?: string;
  labelColumn?: string;
}

/**
 * Adds --data and the options that say how to read it. `purpose` completes
 * the --data help; `limit` is false where only the first self-test samples
 * are used (build, monitor).
 */
export function addDataOptions(cmd: Command, opts: { required: boolean; purpose: string; limit: boolean }): Command {
  const data = 'data set: folder of IDX files, .npy, .npz (inputs, labels) or .csv, optionally gzipped';
  if (opts.required) cmd.requiredOption('--data <path>', `${data}; ${opts.purpose}`);
  else cmd.option('--data <path>', `${data}; ${opts.purpose}`);
  if (opts.limit) cmd.option('--limit <n>', 'use the first N samples');
  return cmd
    .option('--data-scale <s>', 'map stored values v to model inputs S*v+O (e.g. 1/255)')
    .option('--data-offset <o>', 'offset O of that map')
    .option('--label-column <col>', 'CSV without a header: the labels\' column (0-based index, or last), not an input');
}

export function dataOptions(opts: DataCliOptions): DataOptions {
  return {
    limit: opts.limit ? parsePositiveInt(opts.limit, '--limit') : undefined,
    scale: opts.dataScale ? parseScale(opts.dataScale) : undefined,
    offset: opts.dataOffset ? parseScale(opts.dataOffset, '--data-offset') : undefined,
    labelColumn: opts.labelColumn ? parseLabelColumn(opts.labelColumn) : undefined,
  };
}

/** The data options again as command-line text (for the monitor command flash suggests). */
export function dataArgs(opts: DataCliOptions): string {
  if (!opts.data) return '';
  return optionArgs([['--data', opts.data], ['--data-scale', opts.dataScale], ['--data-offset', opts.dataOffset], ['--label-column', opts.labelColumn]]);
}

/** The model options that change the device input, again as command-line text (for the same suggestion). */
export function inputArgs(opts: ModelOptions): string {
  return optionArgs([['--input-type', opts.inputType], ['--input-scale', opts.inputScale], ['--input-zero-point', opts.inputZeroPoint]]);
}

function optionArgs(parts: [string, string | undefined][]): string {
  return parts.filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k} ${v}`).join('');
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
