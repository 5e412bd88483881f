/**
 * Dense binary kernel programs for benchmarks and kernel tests: random layers
 * (deterministic), their expected outputs from the emulator, and a C program
 * (templates/c/bench/dense_bench.c.hbs) that runs bnn_dense_b1 and
 * bnn_dense_b1_pop on each layer, times each call and checks every output word.
 * One program holds many layers, so a sweep costs one compile and one QEMU start
 * per (target, kernel variant).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packBits, wordsFor } from '../bitops.ts';
import { hexWords, int32s } from '../codegen/literals.ts';
import { kernelConfig, popcountHeaders } from '../codegen/kernels.ts';
import type { Provenance } from '../codegen/banner.ts';
import { render, runtimeFile } from '../codegen/templates.ts';
import { denseB1, popcounts } from '../ops/dense_b1/emulate.ts';
import { denseB1Layer, type DenseB1Layer } from '../ops/dense_b1/index.ts';
import type { Target } from '../targets/types.ts';
import { crossBuild } from '../toolchain/cross.ts';
import { runOnTarget } from '../toolchain/run.ts';
import { traceCallCosts } from '../toolchain/trace.ts';
import { BnncError } from '../errors.ts';

/** A deterministic 32-bit generator (mulberry32): same seed, same layers on every machine. */
export function rng32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A dense_b1 layer with its input and the outputs the emulator computes for it. */
export interface DenseCase {
  nIn: number;
  nOut: number;
  x: Uint32Array;
  layer: DenseB1Layer;
  /** Packed output bits (bnn_dense_b1). */
  out: Uint32Array;
  /** popcount(x ^ w_o) (bnn_dense_b1_pop). */
  pop: Int32Array;
}

/** Random packed bits with the tail bits of every row cleared. */
function randomRows(next: () => number, rows: number, bits: number): Uint32Array {
  const words = wordsFor(bits);
  const data = new Uint32Array(rows * words);
  const tail = bits % 32;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < words; i++) data[r * words + i] = next();
    if (tail) data[r * words + words - 1] &= (2 ** tail - 1) >>> 0;
  }
  return data;
}

export type ThresholdMode =
  /** Anywhere in [-1, nIn] (both constant-channel extremes included), often exactly at pop or pop - 1. */
  | 'sweep'
  /** Within a few counts of the channel's popcount, so both output values occur. */
  | 'near'
  /** Any int32, the extremes and just outside [-1, nIn] included: bnn_dense_b1 accepts every threshold. */
  | 'any';

/** Thresholds outside bnnc's own range [-1, nIn], for the 'any' mode. */
function anyThreshold(next: () => number, nIn: number, pop: number): number {
  const choices = [-(2 ** 31), 2 ** 31 - 1, -2, nIn + 1, pop, pop - 1, (next() | 0), 32 * wordsFor(nIn) + 1, -(2 ** 24), 2 ** 24];
  return choices[next() % choices.length];
}

/** Builds a random layer of nIn -> nOut binary features and its expected outputs. */
export function makeDenseCase(next: () => number, nIn: number, nOut: number, mode: ThresholdMode = 'sweep'): DenseCase {
  const x = randomRows(next, 1, nIn);
  const weights = randomRows(next, nOut, nIn);
  const pop = popcounts(x, weights, nIn, nOut);
  const threshold = new Int32Array(nOut);
  for (let o = 0; o < nOut; o++) {
    const r = next() % 8;
    if (mode === 'near') threshold[o] = pop[o] + (next() % 9) - 4;
    else if (mode === 'any') threshold[o] = anyThreshold(next, nIn, pop[o]);
    else if (r === 0) threshold[o] = -1;
    else if (r === 1) threshold[o] = nIn;
    else if (r === 2) threshold[o] = pop[o];
    else if (r === 3) threshold[o] = pop[o] - 1;
    else threshold[o] = (next() % (nIn + 2)) - 1;
  }
  const flip = new Uint8Array(nOut);
  for (let o = 0; o < nOut; o++) flip[o] = next() & 1;
  const layer = denseB1Layer({ inGroup: nIn, name: `dense_${nIn}x${nOut}`, sources: [], inFeatures: nIn, outFeatures: nOut, weights, threshold, flip });
  return { nIn, nOut, x, layer, out: denseB1(layer, x), pop };
}

/** The cases of the kernel sweep: shapes around every unroll boundary, then random ones. */
export function sweepCases(seed: number, count: number): DenseCase[] {
  const next = rng32(seed);
  const shapes: Array<[number, number]> = [[1, 1], [32, 1], [33, 2], [64, 8], [200, 70], [31, 33], [96, 31], [160, 64], [129, 9]];
  while (shapes.length < count) shapes.push([1 + (next() % 200), 1 + (next() % 70)]);
  return shapes.slice(0, count).map(([nIn, nOut]) => makeDenseCase(next, nIn, nOut, 'sweep'));
}


/** Writes the kernel sources for `variant` and the program for `cases` into dir; returns the C files. */
export function writeDenseProgram(dir: string, cases: DenseCase[], variant: string, targetName: string, verbose = true): string[] {
  mkdirSync(dir, { recursive: true });
  const origin: Provenance = { model: `dense kernel bench (${variant})`, source: 'bnnc bench', hash: '-' };
  const runtime = ['bnn_kernels.h', ...popcountHeaders(variant), 'bnn_dense_b1.c', 'bnn_dense_b1_pop.c'];
  const files: Record<string, string> = {
    ...Object.fromEntries(runtime.map((name) => [name, runtimeFile(name, origin)])),
    'bnn_kernel_config.h': render('c/kernels/bnn_kernel_config.h', 'bnn_kernel_config.h', origin, {
      ...kernelConfig(variant), target: targetName,
    }),
    'dense_bench.c': render('c/bench/dense_bench.c', 'dense_bench.c', origin, {
      verbose,
      caseCount: cases.length,
      maxOut: Math.max(...cases.map((c) => c.nOut)),
      maxOutWords: Math.max(...cases.map((c) => wordsFor(c.nOut))),
      cases: cases.map((c, index) => ({
        index,
        nWords: wordsFor(c.nIn),
        nOut: c.nOut,
        outWords: wordsFor(c.nOut),
        wLength: c.layer.weights.length,
        x: hexWords(c.x),
        w: hexWords(c.layer.weights),
        thresh: int32s(c.layer.threshold),
        flip: hexWords(packBits(c.layer.flip)),
        out: hexWords(c.out),
        pop: int32s(c.pop),
      })),
    }),
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return Object.keys(files).filter((f) => f.endsWith('.c')).map((f) => join(dir, f));
}

/** What a verbose program reports for one case. */
export interface DenseCaseResult {
  nWords: number;
  nOut: number;
  b1Instructions: number;
  b1Exact: boolean;
  popInstructions: number;
  popExact: boolean;
  /** Modelled cycles of the same calls (beyond an empty call); null without a timing model or when not asked for. */
  b1Cycles: number | null;
  popCycles: number | null;
}

export interface DenseRun {
  /** Per-case figures (verbose programs only). */
  cases: DenseCaseResult[];
  /** Every output of every case matched, the summary says so and the program exited with 0. */
  exact: boolean;
  /** Cases whose bnn_dense_b1 / bnn_dense_b1_pop outputs all matched (from the summary line; -1 if it is missing). */
  b1ExactCases: number;
  popExactCases: number;
  stdout: string;
  exitCode: number;
  /** The compiled objects of the program (kernel sizes can be read from them). */
  objects: string[];
}

const CASE_LINE = /^case (\d+) (\d+) (\d+) b1 (\d+) ([01]) pop (\d+) ([01])$/;
const SUMMARY_LINE = /^summary (\d+) (\d+) (\d+)$/m;

export function parseDenseOutput(stdout: string, exitCode: number, expectedCases: number): Omit<DenseRun, 'objects'> {
  const cases: DenseCaseResult[] = [];
  for (const line of stdout.split('\n')) {
    const m = CASE_LINE.exec(line.trim());
    if (!m) continue;
    cases.push({
      nWords: Number(m[2]), nOut: Number(m[3]),
      b1Instructions: Number(m[4]), b1Exact: m[5] === '1',
      popInstructions: Number(m[6]), popExact: m[7] === '1',
      b1Cycles: null, popCycles: null,
    });
  }
  const summary = SUMMARY_LINE.exec(stdout);
  const [total, b1ExactCases, popExactCases] = summary ? [Number(summary[1]), Number(summary[2]), Number(summary[3])] : [-1, -1, -1];
  const exact = exitCode === 0 && total === expectedCases && b1ExactCases === expectedCases && popExactCases === expectedCases
    && cases.every((c) => c.b1Exact && c.popExact);
  return { cases, exact, b1ExactCases, popExactCases, stdout, exitCode };
}

export interface DenseProgramOptions {
  /** Build directory (created). */
  dir: string;
  /** Print a line per case (instruction counts); default true. Keep sweeps quiet. */
  verbose?: boolean;
  /** Extra compiler flags (e.g. -Werror, -std=c99). */
  cflags?: string[];
  /** Extra link flags (e.g. the sanitizers of a host build). */
  ldflags?: string[];
  timeoutMs?: number;
  /** Also run the program under an execution trace and price each call with the core's timing model (slow). */
  cycles?: boolean;
}

/** Builds the program for (target, variant) and runs it (QEMU -icount, or natively for the host). */
export async function runDenseProgram(target: Target, variant: string, cases: DenseCase[], opts: DenseProgramOptions): Promise<DenseRun> {
  const sources = writeDenseProgram(join(opts.dir, 'src'), cases, variant, target.name, opts.verbose ?? true);
  const build = await crossBuild(target, {
    sources, includeDirs: [join(opts.dir, 'src')], cflags: opts.cflags ?? [], ldflags: opts.ldflags ?? [], outDir: join(opts.dir, 'build'), name: 'dense_bench',
  });
  const run = await runOnTarget(target, build.elf, { mode: 'icount', timeoutMs: opts.timeoutMs ?? 60_000 });
  const objDir = join(opts.dir, 'build', 'obj');
  const objects = readdirSync(objDir).filter((f) => f.endsWith('.o')).map((f) => join(objDir, f));
  const parsed = parseDenseOutput(run.stdout, run.exitCode, cases.length);
  if (opts.cycles && target.qemu && parsed.exact) await addCycles(target, build.elf, parsed.cases);
  return { ...parsed, objects };
}

/**
 * Fills b1Cycles/popCycles from a traced run: each kernel call minus the empty
 * call beside it, as the instruction counts are. The trace's instruction
 * counts must equal the -icount ones, or the calls were not matched up.
 */
async function addCycles(target: Target, elf: string, cases: DenseCaseResult[]): Promise<void> {
  const costs = await traceCallCosts(target, elf, ['bnn_dense_b1', 'empty_b1', 'bnn_dense_b1_pop', 'empty_pop']);
  if (!costs) return;
  const beyond = (fn: string, empty: string, k: number, instructions: number): number => {
    const call = costs.get(fn)![k];
    const base = costs.get(empty)![k];
    if (!call || !base || call.instructions - base.instructions !== instructions) {
      throw new BnncError(`the execution trace of ${fn} (case ${k}) does not match the -icount count`, {
        file: elf, where: target.name,
        hint: `trace ${call ? call.instructions - (base?.instructions ?? 0) : 'no call'}, -icount ${instructions}: report this as a bnnc bug`,
      });
    }
    return call.cycles - base.cycles;
  };
  cases.forEach((c, k) => {
    c.b1Cycles = beyond('bnn_dense_b1', 'empty_b1', k, c.b1Instructions);
    c.popCycles = beyond('bnn_dense_b1_pop', 'empty_pop', k, c.popInstructions);
  });
}
