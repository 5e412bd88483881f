/**
 * The bnnc command line (commander). Errors a user can cause are printed as one
 * message, never a stack trace. Exit status: 0 success or PASS, 1 verification
 * failed, 2 usage or bad input (any BnncError), 70 internal error (a bug).
 */
import { Command, CommanderError } from 'commander';
import { BnncError, EXIT, VerificationFailure } from '../errors.ts';
import { VERSION } from '../version.ts';
import { registerBench } from './commands/bench.ts';
import { registerBuild } from './commands/build.ts';
import { registerConformance } from './commands/conformance.ts';
import { registerConvert } from './commands/convert.ts';
import { registerDemo } from './commands/demo.ts';
import { registerFlash } from './commands/flash.ts';
import { registerInspect } from './commands/inspect.ts';
import { registerMonitor } from './commands/monitor.ts';
import { registerPasses } from './commands/passes.ts';
import { registerPredict } from './commands/predict.ts';
import { registerTargets } from './commands/targets.ts';
import { registerVerify } from './commands/verify.ts';
import { processIo, type CliIo } from './io.ts';

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('bnnc')
    .description('compile binary neural networks to verified C for microcontrollers')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerDemo(program, io, setExit);
  registerConvert(program, io);
  registerInspect(program, io);
  registerBuild(program, io);
  registerVerify(program, io, setExit);
  registerPredict(program, io);
  registerFlash(program, io);
  registerMonitor(program, io, setExit);
  registerPasses(program, io);
  registerTargets(program, io);
  registerConformance(program, io, setExit);
  registerBench(program, io);
  return program;
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => { code = c; });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    // --help and --version end with a CommanderError whose exit code is 0.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (e instanceof BnncError) {
      io.err(`error: ${e.message}`);
      return e instanceof VerificationFailure ? EXIT.verificationFailed : EXIT.badInput;
    }
    io.err(`bnnc internal error: ${(e as Error).message}`);
    if (process.env.BNNC_DEBUG) io.err((e as Error).stack ?? '');
    else io.err('(this is a bug in bnnc; run with BNNC_DEBUG=1 for details and report it)');
    return EXIT.internal;
  }
}
