/**
 * What happened to one mutant in one driver, and the summary table.
 *
 *   clean error      bnnc refused it with a BnncError (CLI: "error: ..." and exit 1 or 2)
 *   accepted valid   bnnc accepted it, and the mutant is not known to be invalid, and
 *                    what it produced passed the invariants (fuzz/library.ts)
 *   wrongly accepted bnnc accepted a structured mutant that is invalid by construction
 *                    (a stride of 0, NaN weights, a label outside the classes, ...), or
 *                    produced something that breaks an invariant (NaN in generated C, a
 *                    conv field beyond its C width, a non-finite data value, ...)
 *   internal error   anything but a BnncError was thrown, exit code 70, a message that
 *                    says "internal error" or "bnnc bug", or a verify FAIL (the generated
 *                    C disagrees with the emulator: a broken promise, never the input's fault)
 *   crash            killed by a signal, an exit code bnnc never uses, a worker that died,
 *                    a run the fuzzer's memory watchdog stopped (over 2 GB resident)
 *   stack trace      a JavaScript stack trace in the output, whatever the exit code
 *   hang             no result within the timeout
 */
import type { CliRun } from './cli.ts';
import type { PoolResult } from './pool.ts';

export const OUTCOMES = ['clean error', 'accepted valid', 'wrongly accepted', 'internal error', 'crash', 'stack trace', 'hang'] as const;
export type Outcome = typeof OUTCOMES[number];

/** Outcomes that fail the fuzz run. */
export const BAD_OUTCOMES: readonly Outcome[] = ['wrongly accepted', 'internal error', 'crash', 'stack trace', 'hang'];

/** Peak memory a single CLI run may use (issue 10: under 1 GB on any hostile input). */
export const MEMORY_LIMIT_MB = 1024;

const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;
const INTERNAL = /internal error|bnnc bug/i;

export function classifyLibrary(result: PoolResult, invalid: boolean): Outcome {
  switch (result.status) {
    case 'accepted': return invalid ? 'wrongly accepted' : 'accepted valid';
    case 'rejected': return 'clean error';
    case 'violation': return 'wrongly accepted';
    case 'internal': return 'internal error';
    case 'hang': return 'hang';
    case 'crash': return 'crash';
  }
}

export function classifyCli(run: CliRun, invalid: boolean): Outcome {
  if (run.memoryKilled) return 'crash';
  if (run.timedOut) return 'hang';
  const output = `${run.stdout}\n${run.stderr}`;
  if (STACK_LINE.test(output)) return 'stack trace';
  if (run.signal !== null || run.code === null || ![0, 1, 2, 70].includes(run.code)) return 'crash';
  if (run.code === 70 || INTERNAL.test(output)) return 'internal error';
  if (run.code === 0) return invalid ? 'wrongly accepted' : 'accepted valid';
  if (/^FAIL$/m.test(run.stdout)) return 'internal error';
  return /^error: /m.test(run.stderr) ? 'clean error' : 'internal error';
}

export interface SummaryRow {
  label: string;
  counts: Record<Outcome, number>;
  runs: number;
  /** Largest peak RSS of a CLI run in MB (null: not measured), and runs over MEMORY_LIMIT_MB. */
  peakMb: number | null;
  overMemory: number;
}

export function emptyRow(label: string): SummaryRow {
  return { label, counts: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>, runs: 0, peakMb: null, overMemory: 0 };
}

export function addToRow(row: SummaryRow, outcome: Outcome, peakMb: number | null): void {
  row.counts[outcome]++;
  row.runs++;
  if (peakMb !== null) {
    row.peakMb = Math.max(row.peakMb ?? 0, peakMb);
    if (peakMb > MEMORY_LIMIT_MB) row.overMemory++;
  }
}

/** The summary as a Markdown table: one row per family and driver, a total row. */
export function formatTable(rows: SummaryRow[]): string {
  const header = ['mutants of', 'runs', ...OUTCOMES, `peak RSS MB (> ${MEMORY_LIMIT_MB} MB)`];
  const body = rows.map((r) => [r.label, String(r.runs), ...OUTCOMES.map((o) => String(r.counts[o])),
    r.peakMb === null ? '-' : `${Math.round(r.peakMb)} (${r.overMemory})`]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}
