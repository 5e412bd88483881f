/**
 * The dense binary kernel benchmark: one 1024 -> 256 bnn_dense_b1 layer
 * (8192 weight words, thresholds, flips, packed output) per target and kernel
 * variant, timed under QEMU -icount (exact instruction counts) and checked
 * word for word against the emulator. perWord = instructions / weight words.
 *
 * Variants measured per target: its `kernels` list (which ends in portable,
 * the plain SWAR loop) plus `builtin` (__builtin_popcount, the CBin-NN style
 * baseline).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wordsFor } from '../bitops.ts';
import { KERNEL_VARIANTS } from '../codegen/kernels.ts';
import { listTargets } from '../targets/load.ts';
import type { Target } from '../targets/types.ts';
import { toolchainStatus } from '../toolchain/cross.ts';
import { millis } from '../toolchain/cycles.ts';
import { memoryUseOfObjects } from '../toolchain/elf.ts';
import { claimWorkDir } from '../files/output.ts';
import { PROJECT_ROOT, VERSION } from '../version.ts';
import { makeDenseCase, rng32, runDenseProgram } from './denseProgram.ts';

export interface BenchDenseOptions {
  /** Target names (default: every target with a QEMU machine). */
  targets?: string[];
  /** Only these variants (default: each target's list plus builtin). */
  variants?: string[];
  /** Layer shape (default 1024 -> 256). */
  nIn?: number;
  nOut?: number;
  /** Seed of the random layer (default 1). */
  seed?: number;
  /** Build directory (default bench/.cache/dense). */
  workDir?: string;
  /** Extra compiler flags. */
  cflags?: string[];
  /** How many builds and runs at once (default 2). */
  jobs?: number;
  /** Called after each measurement (progress output). */
  onResult?: (r: DenseBenchResult) => void;
}

export interface DenseBenchResult {
  target: string;
  /** QEMU machine the figure comes from. */
  machine: string;
  kernel: string;
  /** Instructions of one bnn_dense_b1 call beyond an empty call. */
  instructions: number;
  /** instructions / weight words. */
  perWord: number;
  /** Every output word equals the emulator's. */
  bitExact: boolean;
  /** The same for bnn_dense_b1_pop (popcounts instead of packed bits). */
  popInstructions: number;
  popPerWord: number;
  popBitExact: boolean;
  /**
   * Modelled cycles of the bnn_dense_b1 / bnn_dense_b1_pop calls (beyond an empty call) on the
   * target's core (src/toolchain/cycles.ts); null where the core has no timing model.
   */
  cycles: number | null;
  popCycles: number | null;
  /** cycles / weight words. */
  cyclesPerWord: number | null;
  /** cycles at the target's clock (clockHz), in milliseconds; null without cycles. */
  ms: number | null;
  /** Flash bytes of the compiled bnn_dense_b1.c (code and tables, before --gc-sections). */
  codeBytes: number;
}

/** Variants benchmarked on a target: its preferences (ending in portable) and the builtin baseline. */
export function benchVariants(target: Target): string[] {
  const list = target.kernels.filter((k) => k in KERNEL_VARIANTS);
  return [...new Set([...list, 'portable', 'builtin'])];
}

async function pool<T>(items: T[], jobs: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}

export async function benchDense(opts: BenchDenseOptions = {}): Promise<DenseBenchResult[]> {
  const nIn = opts.nIn ?? 1024;
  const nOut = opts.nOut ?? 256;
  const words = wordsFor(nIn) * nOut;
  const layer = makeDenseCase(rng32(opts.seed ?? 1), nIn, nOut, 'near');
  const targets = listTargets().filter((t) => t.qemu && (!opts.targets || opts.targets.includes(t.name)));
  const workDir = claimWorkDir(opts.workDir ?? join(PROJECT_ROOT, 'bench', '.cache', 'dense'), { option: 'workDir' });
  const jobs: Array<{ target: Target; variant: string; order: number }> = [];
  for (const target of targets) {
    if (!toolchainStatus(target).available) continue;
    for (const variant of benchVariants(target)) {
      if (opts.variants && !opts.variants.includes(variant)) continue;
      jobs.push({ target, variant, order: jobs.length });
    }
  }
  const results: Array<DenseBenchResult & { order: number }> = [];
  await pool(jobs, opts.jobs ?? 2, async ({ target, variant, order }) => {
    const run = await runDenseProgram(target, variant, [layer], {
      dir: join(workDir, target.name, variant), cflags: opts.cflags, cycles: true,
    });
    const c = run.cases[0];
    const r: DenseBenchResult = {
      target: target.name,
      machine: target.qemu!.machine,
      kernel: variant,
      instructions: c?.b1Instructions ?? NaN,
      perWord: c ? round2(c.b1Instructions / words) : NaN,
      bitExact: run.exact && (c?.b1Exact ?? false),
      popInstructions: c?.popInstructions ?? NaN,
      popPerWord: c ? round2(c.popInstructions / words) : NaN,
      popBitExact: run.exact && (c?.popExact ?? false),
      cycles: c?.b1Cycles ?? null,
      popCycles: c?.popCycles ?? null,
      cyclesPerWord: c?.b1Cycles != null ? round2(c.b1Cycles / words) : null,
      ms: c?.b1Cycles != null && target.clockHz ? millis(c.b1Cycles, target.clockHz) : null,
      codeBytes: memoryUseOfObjects(run.objects.filter((o) => o.endsWith('_bnn_dense_b1.o'))).flashBytes,
    };
    opts.onResult?.(r);
    results.push({ ...r, order });
  });
  return results.sort((a, b) => a.order - b.order).map(({ order: _order, ...r }) => r);
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Markdown table: one row per target, one column per variant, cells from `cell`. */
export function formatDenseMarkdown(
  results: DenseBenchResult[],
  cell: (r: DenseBenchResult) => string = (r) => `${r.perWord.toFixed(2)}${r.bitExact ? '' : ' (NOT EXACT)'}`,
): string {
  const variants = [...new Set(results.map((r) => r.kernel))];
  const targets = [...new Set(results.map((r) => r.target))];
  const lines = [
    `| target (QEMU machine) | ${variants.join(' | ')} |`,
    `|---|${variants.map(() => '---:').join('|')}|`,
  ];
  for (const t of targets) {
    const row = results.filter((r) => r.target === t);
    const cells = variants.map((v) => {
      const r = row.find((x) => x.kernel === v);
      return r ? cell(r) : '-';
    });
    lines.push(`| ${t} (${row[0].machine}) | ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes bench/results/dense.json and dense.md (or into `dir`); returns the two paths. */
export function writeDenseResults(results: DenseBenchResult[], dir = join(PROJECT_ROOT, 'bench', 'results')): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'dense.json');
  const markdown = join(dir, 'dense.md');
  const doc = {
    bnnc: VERSION,
    benchmark: 'bnn_dense_b1 1024 -> 256 (8192 weight words), threshold + flip + packed output; GCC -O2; QEMU -icount',
    unit: 'instructions per 32-bit weight word (kernel call minus an empty call); cycles modelled per core (docs/cycles.md), ms at the target clock',
    results,
  };
  writeFileSync(json, `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(markdown, [
    '# Dense binary kernel: instructions per weight word',
    '',
    'bnn_dense_b1, 1024 input bits x 256 outputs (8192 weight words), with thresholds, flips and packed output.',
    'GCC -O2, counted exactly under QEMU -icount (a call minus an empty call), output checked word for word',
    'against the emulator. `portable` is the plain SWAR loop, `builtin` the `__builtin_popcount` loop (the CBin-NN way).',
    '',
    formatDenseMarkdown(results),
    'The same for bnn_dense_b1_pop (popcounts out, no thresholds):',
    '',
    formatDenseMarkdown(results, (r) => `${r.popPerWord.toFixed(2)}${r.popBitExact ? '' : ' (NOT EXACT)'}`),
    'Modelled cycles of the bnn_dense_b1 call (per weight word, and milliseconds at the target\'s clock) on the cores',
    'with a timing model: the TRM instruction timings over the exact executed instructions (docs/cycles.md; zero wait',
    'states, no bus contention or caches). `-` where the core has no model.',
    '',
    formatDenseMarkdown(results.filter((r) => r.cycles !== null), (r) => `${r.cyclesPerWord!.toFixed(2)} (${r.ms} ms)`),
    'Flash bytes of the compiled bnn_dense_b1.c (code and tables):',
    '',
    formatDenseMarkdown(results, (r) => String(r.codeBytes)),
  ].join('\n'));
  return { json, markdown };
}
