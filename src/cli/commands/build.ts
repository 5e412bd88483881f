/** bnnc build <model> -o <dir>: generates the C sources. */
import type { Command } from 'commander';
import { generateC } from '../../codegen/generate.ts';
import { addModelOptions, cPrefix, loadAndLower, reservedPrefixNote, type ModelOptions } from '../common.ts';
import { checkOutputDir, writeOutputDir } from '../output.ts';
import type { CliIo } from '../io.ts';
import { parseLabelColumn, parseScale } from '../../data/index.ts';
import { selectKernel } from '../../codegen/kernels.ts';
import { checkArraySizes, checkModelFits } from '../../package/checks.ts';
import { PACKAGE_FORMATS, packageFiles, parseFormat } from '../../package/index.ts';
import { embeddedVectors } from '../../package/vectors.ts';
import { loadTarget } from '../../targets/load.ts';

interface BuildOptions extends ModelOptions {
  out: string;
  target: string;
  kernel?: string;
  name?: string;
  data?: string;
  dataScale?: string;
  dataOffset?: string;
  labelColumn?: string;
  format?: string;
}

export function registerBuild(program: Command, io: CliIo): void {
  addModelOptions(program
    .command('build <model>')
    .description('generate C sources (model, kernels, self-test) into a folder'))
    .requiredOption('-o, --out <dir>', 'output folder: new, empty, or written by bnnc before (then replaced as a whole)')
    .option('--name <identifier>', 'C prefix (default: the model name, sanitised)')
    .option('--target <name>', 'target whose kernel variant and budget apply (see bnnc targets)', 'host')
    .option('--kernel <variant>', 'kernel variant (default: the target\'s preference)')
    .option('--data <path>', 'take the self-test vectors from this data set (default: deterministic pseudo-random inputs)')
    .option('--data-scale <s>', 'map stored values v to S*v+O (e.g. 1/255)')
    .option('--data-offset <o>', 'offset O of that map')
    .option('--label-column <col>', 'CSV without a header: the labels\' column (0-based index, or last), not an input')
    .option('--format <format>', `${PACKAGE_FORMATS.join(' | ')}: an Arduino library, a PlatformIO library, or C with a Makefile and CMakeLists.txt (default: arduino for targets with an Arduino board, else c)`)
    .action((path: string, opts: BuildOptions) => {
      const guard = { option: '-o', inputs: [path, opts.data] };
      checkOutputDir(opts.out, guard);
      const target = loadTarget(opts.target);
      const format = parseFormat(opts.format, target);
      const { model, lowered } = loadAndLower(path, opts, io.out, io.err);
      const vectors = embeddedVectors(lowered, {
        data: opts.data,
        scale: opts.dataScale ? parseScale(opts.dataScale) : undefined,
        offset: opts.dataOffset ? parseScale(opts.dataOffset, '--data-offset') : undefined,
        labelColumn: opts.labelColumn ? parseLabelColumn(opts.labelColumn) : undefined,
      });
      const footprint = checkModelFits(target, lowered, path);
      checkArraySizes(target, lowered, vectors.length, path);
      const kernelVariant = selectKernel(target, opts.kernel);
      const prefix = cPrefix(model, opts.name);
      const name = prefix.prefix;
      const note = reservedPrefixNote(prefix);
      if (note) io.out(`note: ${note}`);
      const sources = generateC(lowered, { name, vectors, kernelVariant, target: target.name });
      const files = packageFiles(format, { model: lowered, name, vectorCount: vectors.length, targetName: target.name, kernel: kernelVariant }, sources);
      const dir = writeOutputDir(opts.out, files, guard);
      const ram = `arena ${footprint.ramBytes} bytes`;
      io.out(`wrote ${files.length} files to ${dir} for ${target.name} as ${format} (kernel ${kernelVariant}; model constants ${footprint.flashBytes} bytes, ${ram}):`);
      io.out(`  ${files.map((f) => f.name).join(' ')}`);
    });
}
