/** bnnc verify <model> --data <path>: emulator vs C (host, QEMU) vs float reference. */
import type { Command } from 'commander';
import { BnncError, EXIT } from '../../errors.ts';
import type { ReferenceChoice } from '../../reference/index.ts';
import { terminalProgress } from '../../verify/progress.ts';
import { addDataOptions, addModelOptions, dataOptions, loadAndLower, type DataCliOptions, type ModelOptions } from '../common.ts';
import type { CliIo } from '../io.ts';
import { formatReport } from '../report.ts';

interface VerifyCliOptions extends ModelOptions, DataCliOptions {
  data: string;
  json?: boolean;
  keep?: string;
  sanitize: boolean;
  target: string;
  kernel?: string;
  cycles?: boolean;
  reference: boolean;
  referenceEngine: string;
}

const REFERENCE_CHOICES: readonly ReferenceChoice[] = ['auto', 'onnxruntime', 'interpreter'];

function referenceChoice(text: string): ReferenceChoice {
  if ((REFERENCE_CHOICES as readonly string[]).includes(text)) return text as ReferenceChoice;
  throw new BnncError(`unknown reference engine "${text}"`, { where: '--reference-engine', expected: REFERENCE_CHOICES.join(', ') });
}

export function registerVerify(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = addModelOptions(program
    .command('verify <model>')
    .description('prove the generated C bit-exact against the emulator and compare with the float reference'));
  addDataOptions(cmd, { required: true, purpose: 'every sample is verified', limit: true })
    .option('--target <name>', 'also cross-compile for this target and run it under QEMU (see bnnc targets)', 'host')
    .option('--kernel <variant>', 'kernel variant for the target (default: the target\'s preference)')
    .option('--cycles', 'with --target: also price one inference in cycles (Cortex-M0+/M4 timing model over an execution trace; slow on large models)')
    .option('--json', 'print one JSON object')
    .option('--keep <dir>', 'keep the generated sources and host programs in this folder')
    .option('--no-sanitize', 'skip the ASan/UBSan build')
    .option('--no-reference', 'skip the float reference')
    .option('--reference-engine <engine>', 'float reference for standard ONNX graphs: auto (onnxruntime-node when installed, else bnnc\'s interpreter), onnxruntime or interpreter', 'auto')
    .action(async (path: string, opts: VerifyCliOptions) => {
      const engine = referenceChoice(opts.referenceEngine);
      const { bnn } = loadAndLower(path, opts, io.out, io.err);
      const report = await bnn.verify(opts.data, {
        ...dataOptions(opts),
        keep: opts.keep,
        sanitize: opts.sanitize,
        reference: opts.reference,
        referenceEngine: engine,
        progress: opts.json ? undefined : terminalProgress(),
        target: opts.target,
        kernel: opts.kernel,
        cycles: opts.cycles,
      });
      if (opts.cycles && report.cycles === null) {
        io.err(`bnnc verify: --cycles: no cycle timing model for target ${report.target} (there is one for Cortex-M0+ and Cortex-M4 targets under QEMU, see docs/cycles.md); cycles left out`);
      }
      io.out(opts.json ? JSON.stringify(report) : formatReport(report, opts.data));
      if (!report.ok) setExit(EXIT.verificationFailed);
    });
}
