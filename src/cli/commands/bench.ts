/**
 * bnnc bench (npm run bench): the emulator's samples/s against onnxruntime's,
 * the dense 1024x256 kernel per target and variant, with ratios against the
 * __builtin_popcount and plain SWAR baselines, and the example models'
 * instructions per inference, flash and RAM. The full run writes
 * bench/results/{dense,models,bench}.{json,md} (the committed tables); a run
 * restricted with --target writes the same files to bench/.cache/partial/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { benchDense, formatDenseMarkdown, writeDenseResults, type DenseBenchResult } from '../../bench/dense.ts';
import { benchEmulatorSpeed, formatEmulatorSpeedMarkdown } from '../../bench/emulatorSpeed.ts';
import { benchConv, formatConvMarkdown } from '../../bench/conv.ts';
import { benchModelFigures, formatModelsMarkdown } from '../../bench/models.ts';
import { PROJECT_ROOT, VERSION } from '../../version.ts';
import type { CliIo } from '../io.ts';

/** Best optimised variant per target, and its speed-up over the two baselines. */
export function ratioTable(results: DenseBenchResult[]): string {
  const lines = [
    '| target | best kernel | per word | vs builtin | vs plain SWAR | cycles / word | ms (1024x256) |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const target of [...new Set(results.map((r) => r.target))]) {
    const row = results.filter((r) => r.target === target && r.bitExact);
    const best = row.reduce((a, b) => (b.perWord < a.perWord ? b : a));
    const builtin = row.find((r) => r.kernel === 'builtin');
    const swar = row.find((r) => r.kernel === 'portable');
    const ratio = (base?: DenseBenchResult) => (base ? `${(base.perWord / best.perWord).toFixed(2)}x` : '-');
    const cycles = best.cyclesPerWord !== null ? best.cyclesPerWord.toFixed(2) : '-';
    lines.push(`| ${target} | ${best.kernel} | ${best.perWord.toFixed(2)} | ${ratio(builtin)} | ${ratio(swar)} | ${cycles} | ${best.ms ?? '-'} |`);
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
      // Only the full run replaces the committed tables; a partial one must not overwrite them with fewer rows.
      const dir = opts.target ? join(PROJECT_ROOT, 'bench', '.cache', 'partial') : join(PROJECT_ROOT, 'bench', 'results');
      if (opts.target) log(`  partial run (--target): results go to ${dir}; bench/results/ is written by the full run only`);
      const emulator = await benchEmulatorSpeed();
      for (const r of emulator) log(`  emulator ${r.model}: ${r.emulatorPerCpuSecond} samples/CPU s, onnxruntime ${r.onnxruntimePerCpuSecond ?? '-'}`);
      const dense = await benchDense({ targets: opts.target, onResult: (r) => log(`  dense ${r.target} ${r.kernel}: ${r.perWord} instructions/word${r.bitExact ? '' : ' NOT EXACT'}`) });
      writeDenseResults(dense, dir);
      const conv = await benchConv({ targets: opts.target, onResult: (r) => log(`  conv3x3 ${r.target} ${r.kernel}: ${r.perMac} instructions/MAC${r.bitExact ? '' : ' NOT EXACT'}`) });
      const models = await benchModelFigures({
        samples: Number(opts.samples), targets: opts.target,
        onResult: (r) => log(`  model ${r.model} ${r.target}: ${r.instructionsPerInference} instructions/inference`),
      });
      mkdirSync(dir, { recursive: true });
      const summary = {
        emulator,
        dense1024x256: dense.map(({ target, kernel, instructions, perWord, cycles, cyclesPerWord, ms, bitExact }) => ({ target, kernel, instructions, perWord, cycles, cyclesPerWord, ms, bitExact })),
        conv3x3: conv.map(({ target, kernel, instructions, perMac, bitExact }) => ({ target, kernel, instructions, perMac, bitExact })),
        models: models.map(({ model, target, instructionsPerInference, cycles, ms, flashBytes, ramBytes }) => ({ model, target, instructionsPerInference, cycles, ms, flashBytes, ramBytes })),
      };
      writeFileSync(join(dir, 'bench.json'), `${JSON.stringify({ bnnc: VERSION, ...summary }, null, 2)}\n`);
      const markdown = [
        '## Dense 1024x256 binary layer: instructions per 32-bit weight word (GCC -O2, QEMU -icount)', '',
        formatDenseMarkdown(dense), '## Best kernel against the baselines (cycles: timing model of docs/cycles.md, ms at the target clock; - where the core has none)', '', ratioTable(dense),
        '## conv3x3: binary conv 3x3, 32 -> 32 channels, 16x16, float-zero padding 1: instructions per binary MAC', '',
        formatConvMarkdown(conv),
        '## Example models (instructions: mean over the first samples of their data; cycles: sample 0, timing model of docs/cycles.md, ms at the target clock)', '', formatModelsMarkdown(models),
        '## Emulator against onnxruntime (samples per second, one sample per call)', '', formatEmulatorSpeedMarkdown(emulator),
      ].join('\n');
      writeFileSync(join(dir, 'bench.md'), markdown);
      writeFileSync(join(dir, 'models.md'), formatModelsMarkdown(models));
      io.out(opts.json ? JSON.stringify(summary) : markdown);
    });
}
