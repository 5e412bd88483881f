/** bnnc build <model> -o <dir>: generates the C sources (the library API's generate()). */
import type { Command } from 'commander';
import { PACKAGE_FORMATS, type PackageFormat } from '../../package/index.ts';
import { addDataOptions, addModelOptions, dataOptions, loadAndLower, type DataCliOptions, type ModelOptions } from '../common.ts';
import type { CliIo } from '../io.ts';
import { checkOutputDir, displayPath } from '../output.ts';

interface BuildOptions extends ModelOptions, DataCliOptions {
  out: string;
  target: string;
  kernel?: string;
  name?: string;
  format?: string;
}

export function registerBuild(program: Command, io: CliIo): void {
  const cmd = addModelOptions(program
    .command('build <model>')
    .description('generate C sources (model, kernels, self-test) into a folder'))
    .requiredOption('-o, --out <dir>', 'output folder: new, empty, or written by bnnc before (then replaced as a whole)')
    .option('--name <identifier>', 'C prefix (default: the model name, sanitised)')
    .option('--target <name>', 'target whose kernel variant and budget apply (see bnnc targets)', 'host')
    .option('--kernel <variant>', 'kernel variant (default: the target\'s preference)');
  addDataOptions(cmd, { required: false, purpose: 'its first samples become the self-test vectors (default: deterministic pseudo-random inputs)', limit: false })
    .option('--format <format>', `${PACKAGE_FORMATS.join(' | ')}: an Arduino library, a PlatformIO library, or C with a Makefile and CMakeLists.txt (default: arduino for targets with an Arduino board, else c)`)
    .action((path: string, opts: BuildOptions) => {
      checkOutputDir(opts.out, { option: '-o', inputs: [path, opts.data] }); // before minutes of work
      const { bnn } = loadAndLower(path, opts, io.out, io.err);
      const r = bnn.generate(opts.out, {
        target: opts.target, kernel: opts.kernel, name: opts.name, format: opts.format as PackageFormat | undefined,
        data: opts.data, dataOptions: dataOptions(opts),
      });
      if (r.reservedNote) io.out(`note: ${r.reservedNote}`);
      io.out(`wrote ${r.files.length} files to ${displayPath(r.dir)} for ${r.target} as ${r.format} (kernel ${r.kernel}; model constants ${r.flashBytes} bytes, arena ${r.ramBytes} bytes):`);
      io.out(`  ${r.files.join(' ')}`);
    });
}
