/**
 * npm run fuzz -- [--seed N] [--count N] [--json] [--cli-ratio R] [--jobs N] [--no-resources] [--only ID,ID] [--keep-failures DIR]
 * Prints the outcome table (or one JSON object) and exits 1 when any run was
 * wrongly accepted, an internal error, a crash, a stack trace or a hang, or
 * used more than the memory limit.
 */
import { Command, InvalidArgumentError } from 'commander';
import { runFuzz, type FuzzReport } from './fuzz.ts';
import { BAD_OUTCOMES, formatTable, MEMORY_LIMIT_MB } from './outcomes.ts';

function integer(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

function ratio(text: string): number {
  const n = Number(text);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
}

function ids(text: string): number[] {
  return text.split(',').map((t) => integer(t.trim()));
}

function failed(report: FuzzReport): boolean {
  const total = report.rows.at(-1)!;
  return BAD_OUTCOMES.some((o) => total.counts[o] > 0) || total.overMemory > 0;
}

function printText(report: FuzzReport): void {
  console.log(`bnnc fuzz: seed ${report.seed}, ${report.count} mutants, ${report.seconds.toFixed(0)} s`);
  console.log(formatTable(report.rows));
  console.log(`fuzzer process peak RSS (corpus + library workers): ${Math.round(report.libraryPeakMb)} MB`);
  for (const f of report.failures.slice(0, 50)) {
    console.log(`\n#${f.id} ${f.outcome} (${f.driver}) ${f.seed}: ${f.mutation}${f.command ? `\n  ${f.command}` : ''}\n  ${f.message.replace(/\n/g, '\n  ')}`);
  }
  if (report.failures.length > 50) console.log(`\n... and ${report.failures.length - 50} more (--json lists all)`);
  if (report.failures.length > 0) console.log(`\nreproduce one: npm run fuzz -- --seed ${report.seed} --only ${report.failures[0].id}`);
}

const program = new Command('fuzz')
  .description(`mutate the bundled models, .bnn.json files and data sets and run them through bnnc (fails on any bad outcome or a run over ${MEMORY_LIMIT_MB} MB)`)
  .option('--seed <n>', 'seed of the mutants', integer, 1)
  .option('--count <n>', 'number of mutants', integer, 2000)
  .option('--json', 'print one JSON object (table rows and every failure)')
  .option('--cli-ratio <r>', 'share of the mutants also run through the CLI', ratio, 0.1)
  .option('--verify-ratio <r>', 'share of the CLI model runs that are bnnc verify (compiles C)', ratio, 0.25)
  .option('--jobs <n>', 'mutants in flight at once', integer, 2)
  .option('--no-resources', 'leave out the resource mutants (gzip bombs, /dev/zero, named pipes, folders)')
  .option('--only <ids>', 'run only these mutants (comma-separated ids), e.g. to reproduce a failure', ids)
  .option('--keep-failures <dir>', 'copy the files of failing mutants here')
  .action(async (opts: { seed: number; count: number; json?: boolean; cliRatio: number; verifyRatio: number; jobs: number; resources: boolean; only?: number[]; keepFailures?: string }) => {
    const tty = process.stderr.isTTY && !opts.json;
    const report = await runFuzz({
      seed: opts.seed, count: opts.count, cliRatio: opts.cliRatio, verifyRatio: opts.verifyRatio, jobs: Math.max(1, opts.jobs), resources: opts.resources, only: opts.only,
      keepFailures: opts.keepFailures,
      onCase: tty ? (done, total) => process.stderr.write(`\r${done}/${total}`) : undefined,
    });
    if (tty) process.stderr.write('\r');
    if (opts.json) console.log(JSON.stringify(report, null, 2));
    else printText(report);
    process.exitCode = failed(report) ? 1 : 0;
  });

await program.parseAsync(process.argv);
