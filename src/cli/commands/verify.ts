/** bnnc verify <model> --data <path>: emulator vs C (host, QEMU) vs float reference. */
import type { Command } from 'commander';
import { EXIT } from '../../errors.ts';
import { parseLabelColumn, parseScale } from '../../data/index.ts';
import { loadTarget } from '../../targets/load.ts';
import { terminalProgress } from '../../verify/progress.ts';
import { verifyOnHost } from '../../verify/verify.ts';
import { addModelOptions, loadAndLower, parsePositiveInt, type ModelOptions } from '../common.ts';
import type { CliIo } from '../io.ts';
import { formatReport } from '../report.ts';

interface VerifyCliOptions extends ModelOptions {
  data: string;
  limit?: string;
  dataScale?: string;
  dataOffset?: string;
  labelColumn?: string;
  json?: boolean;
  keep?: string;
  sanitize: boolean;
  target: string;
  kernel?: string;
  reference: boolean;
}

export function registerVerify(program: Command, io: CliIo, setExit: (code: number) => void): void {
  addModelOptions(program
    .command('verify <model>')
    .description('prove the generated C bit-exact against the emulator and compare with the float reference'))
    .requiredOption('--data <path>', 'data set: folder of IDX files, .npy, .npz (inputs, labels) or .csv')
    .option('--limit <n>', 'use the first N samples')
    .option('--data-scale <s>', 'map stored values v to model inputs S*v+O (e.g. 1/255)')
    .option('--data-offset <o>', 'offset O of that map')
    .option('--label-column <col>', 'CSV without a header: the labels\' column (0-based index, or last)')
    .option('--target <name>', 'also cross-compile for this target and run it under QEMU (see bnnc targets)', 'host')
    .option('--kernel <variant>', 'kernel variant for the target (default: the target\'s preference)')
    .option('--json', 'print one JSON object')
    .option('--keep <dir>', 'keep the generated sources and host programs in this folder')
    .option('--no-sanitize', 'skip the ASan/UBSan build')
    .option('--no-reference', 'skip the float reference')
    .action(async (path: string, opts: VerifyCliOptions) => {
      const { model, lowered } = loadAndLower(path, opts, io.out, io.err);
      const report = await verifyOnHost(model, lowered, {
        data: opts.data,
        limit: opts.limit ? parsePositiveInt(opts.limit, '--limit') : undefined,
        scale: opts.dataScale ? parseScale(opts.dataScale) : undefined,
        offset: opts.dataOffset ? parseScale(opts.dataOffset, '--data-offset') : undefined,
        labelColumn: opts.labelColumn ? parseLabelColumn(opts.labelColumn) : undefined,
        workDir: opts.keep,
        noSanitize: !opts.sanitize,
        noReference: !opts.reference,
        progress: opts.json ? undefined : terminalProgress(),
        target: loadTarget(opts.target),
        kernel: opts.kernel,
      });
      io.out(opts.json ? JSON.stringify(report) : formatReport(report, opts.data));
      if (!report.ok) setExit(EXIT.verificationFailed);
    });
}
