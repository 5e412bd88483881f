/**
 * bnnc bench (npm run bench): the dense 1024x256 kernel per target and variant,
 * with ratios against the __builtin_popcount and plain SWAR baselines, and the
 * example models' instructions per inference, flash and RAM. Writes
 * bench/results/{dense,models,bench}.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { benchDense, formatDenseMarkdown, writeDenseResults, type DenseBenchResult } from '../../bench/dense.ts';
import { benchConv, formatConvMarkdown } from '../../bench/conv.ts';
import { benchModelFigures, formatModelsMarkdown } from '../../bench/models.ts';
import { PROJECT_ROOT, VERSION } from '../../version.ts';
import type { CliIo } from '../io.ts';

/** Best optimised variant per target, and its speed-up over the two baselines. */
export function ratioTable(results: DenseBenchResult[]): string {
  const lines = ['| target | best kernel | per word | vs builtin | vs plain SWAR |', '|---|---|---:|---:|---:|'];
  for (const target of [...new Set(results.map((r) => r.target))]) {
    const row = results.filter((r) => r.target === target && r.bitExact);
    const best = row.reduce((a, b) => (b.perWord < a.perWord ? b : a));
    const builtin = row.find((r) => r.kernel === 'builtin');
    const swar = row.find((r) => r.kernel === 'portable');
    const ratio = (base?: DenseBenchResult) => (base ? `${(base.perWord / best.perWord).toFixed(2)}x` : '-');
    lines.push(`| ${target} | ${best.kernel} | ${best.perWord.toFixed(2)} | ${ratio(builtin)} | ${ratio(swar)} |`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerBench(program: Command, io: CliIo): void {
  program
    .command('bench')
    .description('measure kernels (instructions per word under QEMU) and the example models (instructions per inference, flash, RAM)')
    .option('--json', 'print one JSON object instead of tables')
    .option('--target <names...>', 'only these targets')
    .option('--samples <n>', 'samples per model for the instruction mean', '4')
    .action(async (opts: { json?: boolean; target?: string[]; samples: string }) => {
      const log = (line: string) => { if (!opts.json) io.err(line); };
      const dense = await benchDense({ targets: opts.target, onResult: (r) => log(`  dense ${r.target} ${r.kernel}: ${r.perWord} instructions/word${r.bitExact ? '' : ' NOT EXACT'}`) });
      writeDenseResults(dense);
      const conv = await benchConv({ targets: opts.target, onResult: (r) => log(`  conv3x3 ${r.target} ${r.kernel}: ${r.perMac} instructions/MAC${r.bitExact ? '' : ' NOT EXACT'}`) });
      const models = await benchModelFigures({
        samples: Number(opts.samples), targets: opts.target,
        onResult: (r) => log(`  model ${r.model} ${r.target}: ${r.instructionsPerInference} instructions/inference`),
      });
      const dir = join(PROJECT_ROOT, 'bench', 'results');
      mkdirSync(dir, { recursive: true });
      const summary = {
        dense1024x256: dense.map(({ target, kernel, instructions, perWord, bitExact }) => ({ target, kernel, instructions, perWord, bitExact })),
        conv3x3: conv.map(({ target, kernel, instructions, perMac, bitExact }) => ({ target, kernel, instructions, perMac, bitExact })),
        models: models.map(({ model, target, instructionsPerInference, flashBytes, ramBytes }) => ({ model, target, instructionsPerInference, flashBytes, ramBytes })),
      };
      writeFileSync(join(dir, 'bench.json'), `${JSON.stringify({ bnnc: VERSION, ...summary }, null, 2)}\n`);
      const markdown = [
        '## Dense 1024x256 binary layer: instructions per 32-bit weight word (GCC -O2, QEMU -icount)', '',
        formatDenseMarkdown(dense), '## Best kernel against the baselines', '', ratioTable(dense),
        '## conv3x3: binary conv 3x3, 32 -> 32 channels, 16x16, float-zero padding 1: instructions per binary MAC', '',
        formatConvMarkdown(conv),
        '## Example models (mean over the first samples of their data)', '', formatModelsMarkdown(models),
      ].join('\n');
      writeFileSync(join(dir, 'bench.md'), markdown);
      writeFileSync(join(dir, 'models.md'), formatModelsMarkdown(models));
      io.out(opts.json ? JSON.stringify(summary) : markdown);
    });
}
