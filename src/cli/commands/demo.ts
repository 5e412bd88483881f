/**
 * bnnc demo: the main job on the bundled model (examples/mnist-mlp): lower it,
 * generate the C, verify it on the host against the emulator and onnxruntime
 * with the bundled MNIST test images, and say where the sources are.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT } from '../../errors.ts';
import { generateC } from '../../codegen/generate.ts';
import { modelPrefix } from '../../codegen/sanitize.ts';
import { loadDataset } from '../../data/index.ts';
import { summarize } from '../../inspect/summary.ts';
import { BUNDLED_EXAMPLE } from '../../api.ts';
import { deviceInputs, selftestVectors } from '../../verify/inputs.ts';
import { terminalProgress } from '../../verify/progress.ts';
import { verifyOnHost } from '../../verify/verify.ts';
import { loadAndLower } from '../common.ts';
import type { CliIo } from '../io.ts';
import { displayPath, writeOutputDir } from '../output.ts';
import { formatReport } from '../report.ts';
import { formatTable } from '../table.ts';

export const DEMO_MODEL = BUNDLED_EXAMPLE.model;
export const DEMO_DATA = BUNDLED_EXAMPLE.data;

export function registerDemo(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('build and verify the bundled MNIST binary MLP (examples/mnist-mlp)')
    .option('-o, --out <dir>', 'where to write the C sources', 'out/mnist-mlp')
    .option('--limit <n>', 'verify on the first N bundled test images', '1000')
    .action(async (opts: { out: string; limit: string }) => {
      const { model, lowered } = loadAndLower(DEMO_MODEL, {}, io.out);
      const rel = displayPath; // an installed package's files print absolute
      io.out(`bnnc demo: ${rel(DEMO_MODEL)} (${model.input.dtype} input [${model.input.shape.join(', ')}], ${model.classes} classes)\n`);
      const rows = summarize(lowered);
      io.out(formatTable(['#', 'layer', 'kind', 'in', 'shape', 'params', 'flash B', 'arena B'],
        rows.map((r) => [r.index, r.name, r.kind, r.input, r.shape, r.params, r.flashBytes, r.arenaBytes])));
      io.out(`total: ${rows.reduce((s, r) => s + r.params, 0)} params, ${rows.reduce((s, r) => s + r.flashBytes, 0)} bytes of constants, `
        + `arena ${lowered.memory.arenaBytes} bytes (lower bound ${lowered.memory.lowerBoundBytes})\n`);

      const limit = Number(opts.limit);
      const data = loadDataset(DEMO_DATA, { limit: 4 });
      const name = modelPrefix(model.name).prefix;
      const files = generateC(lowered, { name, vectors: selftestVectors(deviceInputs(lowered, data)) });
      const dir = writeOutputDir(opts.out, files, { option: '-o', inputs: [DEMO_MODEL, DEMO_DATA] });

      const report = await verifyOnHost(model, lowered, { data: DEMO_DATA, limit, progress: terminalProgress() });
      io.out(formatReport(report, rel(DEMO_DATA)));
      io.out(`\nC sources (${files.length} files) in ${rel(dir)}/:`);
      io.out(`  ${files.map((f) => f.name).join(' ')}`);
      io.out(`  API: int ${name}_predict(const ${name}_input_t *input, int32_t *scores);  see ${rel(join(dir, `${name}.h`))}`);
      if (!report.ok) setExit(EXIT.verificationFailed);
    });
}
