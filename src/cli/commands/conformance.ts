/** bnnc conformance: ONNX's own node test cases through bnnc's import and float reference. */
import type { Command } from 'commander';
import { EXIT } from '../../errors.ts';
import { DEFAULT_CONFORMANCE_DIR, formatConformance, runConformance } from '../../conformance/onnxConformance.ts';
import type { CliIo } from '../io.ts';

export function registerConformance(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('conformance')
    .description('run ONNX\'s conformance cases (Debian libonnx-testdata) for every op bnnc claims')
    .option('--dir <path>', 'folder of ONNX node test cases', DEFAULT_CONFORMANCE_DIR)
    .action((opts: { dir: string }) => {
      const result = runConformance(opts.dir);
      io.out(formatConformance(result));
      if (result.counts.fail > 0) setExit(EXIT.verificationFailed);
    });
}
