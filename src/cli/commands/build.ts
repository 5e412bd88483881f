/** bnnc build <model> -o <dir>: generates the C sources. */
import type { Command } from 'commander';
import { generateC } from '../../codegen/generate.ts';
import { toCIdentifier } from '../../codegen/sanitize.ts';
import { loadDataset } from '../../data/index.ts';
import { deviceInputs, selftestVectors } from '../../verify/inputs.ts';
import { defaultVectors } from '../../verify/vectors.ts';
import { addModelOptions, loadAndLower, type ModelOptions } from '../common.ts';
import { checkOutputDir, writeOutputDir } from '../output.ts';
import type { CliIo } from '../io.ts';
import { parseScale } from '../../data/index.ts';
import { selectKernel } from '../../codegen/kernels.ts';
import { BnncError } from '../../errors.ts';
import { modelFootprint } from '../../inspect/summary.ts';
import { budgetProblems } from '../../targets/budget.ts';
import { loadTarget } from '../../targets/load.ts';

interface BuildOptions extends ModelOptions {
  out: string;
  target: string;
  kernel?: string;
  name?: string;
  data?: string;
  dataScale?: string;
  dataOffset?: string;
}

export function registerBuild(program: Command, io: CliIo): void {
  addModelOptions(program
    .command('build <model>')
    .description('generate C sources (model, kernels, self-test) into a folder'))
    .requiredOption('-o, --out <dir>', 'output folder (replaced as a whole)')
    .option('--name <identifier>', 'C prefix (default: the model name, sanitised)')
    .option('--target <name>', 'target whose kernel variant and budget apply (see bnnc targets)', 'host')
    .option('--kernel <variant>', 'kernel variant (default: the target\'s preference)')
    .option('--data <path>', 'take the self-test vectors from this data set (default: deterministic pseudo-random inputs)')
    .option('--data-scale <s>', 'map stored values v to S*v+O (e.g. 1/255)')
    .option('--data-offset <o>', 'offset O of that map')
    .action((path: string, opts: BuildOptions) => {
      checkOutputDir(opts.out);
      const { model, lowered } = loadAndLower(path, opts, io.out);
      const vectors = opts.data
        ? selftestVectors(deviceInputs(lowered, loadDataset(opts.data, {
          limit: 4, scale: opts.dataScale ? parseScale(opts.dataScale) : undefined,
          offset: opts.dataOffset ? parseScale(opts.dataOffset, '--data-offset') : undefined,
        })))
        : defaultVectors(lowered);
      const target = loadTarget(opts.target);
      const footprint = modelFootprint(lowered);
      const problems = budgetProblems(target, footprint);
      if (problems.length > 0) {
        throw new BnncError(`the model does not fit ${target.name}: ${problems.join('; ')}`, {
          file: path, expected: `at most ${target.budget!.flashBytes} bytes of flash and ${target.budget!.ramBytes} bytes of RAM`,
          hint: 'use a smaller model or a target with more memory (bnnc targets)',
        });
      }
      const kernelVariant = selectKernel(target, opts.kernel);
      const files = generateC(lowered, { name: opts.name ? toCIdentifier(opts.name) : toCIdentifier(model.name), vectors, kernelVariant, target: target.name });
      const dir = writeOutputDir(opts.out, files);
      io.out(`wrote ${files.length} files to ${dir} for ${target.name} (kernel ${kernelVariant}; model constants ${footprint.flashBytes} bytes, arena ${footprint.ramBytes} bytes):`);
      io.out(`  ${files.map((f) => f.name).join(' ')}`);
    });
}
