/**
 * The seeded fuzzer: makes `count` mutants of the corpus (fuzz/corpus.ts),
 * byte-level and structured, runs each through the library entry points (in a
 * worker thread) and a share of them through the CLI (a child process), and
 * sums up the outcomes (fuzz/outcomes.ts). Case `id` of seed `s` is the same
 * mutant on every machine, so a failure is reproduced with --seed s --only id.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'fflate';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FuzzCase, FuzzFile } from './cases.ts';
import { runCli } from './cli.ts';
import { buildCorpus, type Corpus, type ModelSeed } from './corpus.ts';
import { mutateBytes } from './mutate/bytes.ts';
import { mutateData, renderData } from './mutate/data.ts';
import { mutateNative } from './mutate/native.ts';
import { mutateOnnx } from './mutate/onnx.ts';
import { BAD_OUTCOMES, addToRow, classifyCli, classifyLibrary, emptyRow, type Outcome, type SummaryRow } from './outcomes.ts';
import { LibraryPool } from './pool.ts';
import { Rng } from './random.ts';
import { resourceCase } from './resources.ts';

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Share of the cases also run through the CLI (child processes). */
  cliRatio?: number;
  /** Share of the CLI model cases that run `verify` (compiles C) rather than `inspect` or `build`. */
  verifyRatio?: number;
  /** Share of the model mutants the library accepted that are then verified through the CLI (C compiled and run). */
  acceptedVerifyRatio?: number;
  /** Cases in flight at once (library workers and CLI processes). */
  jobs?: number;
  /**
   * Include resource mutants (gzip bombs, /dev/zero, named pipes, folders; 3 % of
   * the cases, CLI only). They need bnnc's input limits (issue 10 item 4).
   */
  resources?: boolean;
  /** Run only these case ids (to reproduce a failure). */
  only?: number[];
  /** Copy the files of every case with a bad outcome here. */
  keepFailures?: string;
  libraryTimeoutMs?: number;
  cliTimeoutMs?: number;
  onCase?: (done: number, total: number) => void;
}

export interface Failure {
  id: number;
  family: string;
  seed: string;
  mutation: string;
  driver: 'library' | 'cli';
  outcome: Outcome;
  message: string;
  command?: string;
}

export interface FuzzReport {
  seed: number;
  count: number;
  seconds: number;
  rows: SummaryRow[];
  failures: Failure[];
  /** Peak RSS of the fuzzer process (corpus, library workers) in MB. */
  libraryPeakMb: number;
}

/** A case's own generator: independent of the other cases, so --only reproduces it exactly. */
function caseRng(seed: number, id: number): Rng {
  return new Rng((Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(id + 1, 0x85ebca6b)) >>> 0);
}

function gzipped(file: FuzzFile): boolean {
  return file.bytes.length >= 2 && file.bytes[0] === 0x1f && file.bytes[1] === 0x8b;
}

/** Byte-level mutant of a file; a gzipped one is mutated inside half the time (and compressed again). */
function bytesOf(rng: Rng, file: FuzzFile, other: FuzzFile): { bytes: Uint8Array; what: string } {
  if (gzipped(file) && rng.chance(0.5)) {
    const inner = mutateBytes(rng, gunzipSync(file.bytes), other.bytes);
    return { bytes: gzipSync(inner.bytes, { level: 1 }), what: `${inner.what} (inside the gzip)` };
  }
  return mutateBytes(rng, file.bytes, other.bytes);
}

function modelCase(id: number, rng: Rng, family: 'onnx' | 'bnn.json', seeds: ModelSeed[]): FuzzCase {
  const seed = rng.pick(seeds);
  const base = { id, family, seed: seed.label, companions: seed.companions, pairedData: seed.data };
  for (let attempt = 0; attempt < 8 && rng.chance(0.7); attempt++) {
    const m = family === 'onnx' ? mutateOnnx(rng, seed.file.bytes) : mutateNative(rng, new TextDecoder().decode(seed.file.bytes));
    if (m) return { ...base, mutation: m.mutation, invalid: m.invalid, renamed: m.renamed, file: { name: seed.file.name, bytes: m.bytes } };
  }
  if (seed.companions.length > 0 && rng.chance(0.3)) {
    const side = seed.companions[0];
    const m = bytesOf(rng, side, side);
    return { ...base, mutation: `sidecar ${m.what}`, invalid: false, file: seed.file, companions: [{ ...side, bytes: m.bytes }] };
  }
  const m = bytesOf(rng, seed.file, rng.pick(seeds).file);
  return { ...base, mutation: m.what, invalid: false, file: { name: seed.file.name, bytes: m.bytes } };
}

function dataCase(id: number, rng: Rng, corpus: Corpus): FuzzCase {
  const seed = rng.pick(corpus.data);
  const label = `${seed.base} ${seed.format}${seed.gzip ? ' (gz)' : ''}`;
  const base = { id, family: 'data' as const, seed: label, pairedModel: seed.model };
  for (let attempt = 0; attempt < 8 && rng.chance(0.7); attempt++) {
    const m = mutateData(rng, seed);
    if (m) return { ...base, mutation: m.mutation, invalid: m.invalid, file: m.rendered.file, companions: m.rendered.companions, folder: m.rendered.folder };
  }
  const rendered = renderData(seed);
  const m = bytesOf(rng, rendered.file, rendered.file);
  return { ...base, mutation: m.what, invalid: false, file: { ...rendered.file, bytes: m.bytes }, companions: rendered.companions, folder: rendered.folder };
}

/** Mutant number `id` of `seed`: 40 % ONNX, 30 % .bnn.json, 30 % data (3 % of all resource mutants when enabled). */
export function makeCase(corpus: Corpus, seed: number, id: number, resources = false): FuzzCase {
  const rng = caseRng(seed, id);
  const draw = rng.next();
  if (resources && rng.chance(0.03)) return resourceCase(id, rng, corpus);
  if (draw < 0.4) return modelCase(id, rng, 'onnx', corpus.onnx);
  if (draw < 0.7) return modelCase(id, rng, 'bnn.json', corpus.native);
  return dataCase(id, rng, corpus);
}

/** Writes the case's files; returns the path bnnc is given. */
function writeCase(dir: string, c: FuzzCase): string {
  const target = c.folder ? join(dir, c.folder) : dir;
  mkdirSync(target, { recursive: true });
  for (const f of [c.file, ...c.companions]) {
    const path = join(target, f.name);
    if (f.special === 'dev-zero') symlinkSync('/dev/zero', path);
    else if (f.special === 'fifo') execFileSync('mkfifo', [path]);
    else if (f.special === 'directory') mkdirSync(path);
    else writeFileSync(path, f.bytes);
  }
  return c.folder ? target : join(dir, c.file.name);
}

function cliArgs(c: FuzzCase, path: string, rng: Rng, verifyRatio: number): string[] {
  if (c.family === 'data') return ['verify', c.pairedModel!.path, '--data', path, '--no-sanitize', '--no-reference'];
  const draw = rng.next();
  if (draw < verifyRatio) return ['verify', path, '--data', c.pairedData!, '--limit', '4', '--no-sanitize', '--no-reference'];
  if (draw < verifyRatio + 0.15) return ['build', path, '-o', 'out', '--format', 'c'];
  return ['inspect', path];
}

/** Copies a failing case's files; a named pipe cannot be copied and is left out. */
function keep(dir: string, to: string): void {
  cpSync(dir, to, { recursive: true, filter: (src) => !lstatSync(src).isFIFO() });
}

/** A FIFO must be refused at once: a minute is a hang. */
const RESOURCE_TIMEOUT_MS = 60_000;

function firstLines(text: string, n = 6): string {
  return text.trim().split('\n').slice(0, n).join('\n').slice(0, 1200);
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const { seed, count, cliRatio = 0.1, verifyRatio = 0.25, acceptedVerifyRatio = 0.5, jobs = 2, resources = true, libraryTimeoutMs = 60_000, cliTimeoutMs = 180_000 } = options;
  const corpus = buildCorpus();
  const ids = options.only ?? Array.from({ length: count }, (_, i) => i);
  const work = mkdtempSync(join(tmpdir(), 'bnnc-fuzz-'));
  const pool = new LibraryPool(jobs);
  const rows = new Map<string, SummaryRow>();
  const failures: Failure[] = [];
  const record = (c: FuzzCase, driver: 'library' | 'cli', outcome: Outcome, peakMb: number | null, message: string, dir: string, command?: string) => {
    const label = `${c.resource ? 'resource' : c.family} (${driver === 'cli' ? 'CLI' : 'library'})`;
    if (!rows.has(label)) rows.set(label, emptyRow(label));
    addToRow(rows.get(label)!, outcome, peakMb);
    if (BAD_OUTCOMES.includes(outcome)) {
      failures.push({ id: c.id, family: c.family, seed: c.seed, mutation: c.mutation, driver, outcome, message, command });
      if (options.keepFailures) keep(dir, join(options.keepFailures, `case-${c.id}`));
    }
  };

  let next = 0;
  let done = 0;
  const runOne = async (id: number) => {
    const c = makeCase(corpus, seed, id, resources);
    const dir = join(work, `case-${id}`);
    const path = writeCase(dir, c);
    if (c.resource) {
      const args = cliArgs(c, path, caseRng(seed, id), 0);
      const run = await runCli(args, dir, RESOURCE_TIMEOUT_MS);
      record(c, 'cli', classifyCli(run, c.invalid), run.peakMb, firstLines(`${run.stderr}\n${run.stdout}`), dir, `bnnc ${args.join(' ')} (exit ${run.code ?? run.signal})`);
      rmSync(dir, { recursive: true, force: true });
      options.onCase?.(++done, ids.length);
      return;
    }
    const lib = await pool.run({ family: c.family, path, paired: c.pairedModel }, libraryTimeoutMs);
    record(c, 'library', classifyLibrary(lib, c.invalid), null, lib.message, dir);
    const drive = caseRng(seed, id ^ 0x7fffffff);
    // A model the library accepted is compiled and run too (half of them): that is where a C field overflows or the C disagrees.
    const compileAccepted = lib.status === 'accepted' && c.family !== 'data' && drive.chance(acceptedVerifyRatio);
    if (compileAccepted || drive.chance(cliRatio)) {
      const args = cliArgs(c, path, drive, compileAccepted ? 1 : verifyRatio);
      const run = await runCli(args, dir, cliTimeoutMs);
      const outcome = classifyCli(run, c.invalid);
      record(c, 'cli', outcome, run.peakMb, firstLines(`${run.stderr}\n${run.stdout}`), dir, `bnnc ${args.join(' ')} (exit ${run.code ?? run.signal})`);
    }
    rmSync(dir, { recursive: true, force: true });
    options.onCase?.(++done, ids.length);
  };
  const lanes = Array.from({ length: Math.max(1, jobs) }, async () => {
    while (next < ids.length) await runOne(ids[next++]);
  });
  try {
    await Promise.all(lanes);
  } finally {
    await pool.close();
    rmSync(work, { recursive: true, force: true });
  }

  const ordered = [...rows.values()].sort((a, b) => a.label.localeCompare(b.label));
  const total = emptyRow('total');
  for (const r of ordered) {
    for (const [o, n] of Object.entries(r.counts)) total.counts[o as Outcome] += n;
    total.runs += r.runs;
    total.overMemory += r.overMemory;
    if (r.peakMb !== null) total.peakMb = Math.max(total.peakMb ?? 0, r.peakMb);
  }
  return {
    seed, count: ids.length, seconds: (performance.now() - started) / 1000, rows: [...ordered, total], failures,
    libraryPeakMb: process.resourceUsage().maxRSS / 1024,
  };
}
