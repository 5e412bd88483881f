/**
 * bnnc flash <model> --target T: verify, package as an Arduino library,
 * `arduino-cli compile`, check the reported sizes against the target budget,
 * `arduino-cli upload`. Each step runs only when the one before it passed:
 * no upload after a failed verification, an over-budget build, or an unclear
 * port.
 */
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { selftestExpectations } from '../../codegen/generate.ts';
import { selectKernel } from '../../codegen/kernels.ts';
import { modelPrefix, reservedPrefixNote } from '../../codegen/sanitize.ts';
import { BnncError, VerificationFailure } from '../../errors.ts';
import { makeTemporaryFolder, removeOwnedFolder } from '../../files/temporary.ts';
import type { LoweredModel, Model } from '../../ir/types.ts';
import { checkArraySizes, checkModelFits } from '../../package/checks.ts';
import { generatePackage, selftestSketchDir } from '../../package/index.ts';
import { describeVectors, embeddedVectors, writeVectorsNpy, type VectorSource } from '../../package/vectors.ts';
import { budgetProblems } from '../../targets/budget.ts';
import { loadTarget } from '../../targets/load.ts';
import type { Target } from '../../targets/types.ts';
import {
  arduinoBoardList, arduinoCompile, arduinoUpload, coreOf, requireArduinoCli, selectPort, type SectionSizes,
} from '../../toolchain/arduino.ts';
import { toolchainStatus } from '../../toolchain/cross.ts';
import { terminalProgress } from '../../verify/progress.ts';
import { verifyOnHost, type VerifyReport } from '../../verify/verify.ts';
import { addDataOptions, addModelOptions, dataArgs, dataOptions, inputArgs, loadAndLower, type DataCliOptions, type ModelOptions } from '../common.ts';
import type { CliIo } from '../io.ts';
import { checkOutputDir, claimWorkDir, writeOutputDir } from '../output.ts';
import { formatReport } from '../report.ts';
import { DEMO_DATA, DEMO_MODEL } from './demo.ts';

interface FlashOptions extends ModelOptions, DataCliOptions {
  target: string;
  port?: string;
  fqbn?: string;
  name?: string;
  kernel?: string;
  out?: string;
  sketch?: string;
  upload: boolean;
}

/** Samples of the bundled test set verified when the demo model is flashed without --data. */
const DEMO_LIMIT = 100;

export function registerFlash(program: Command, io: CliIo): void {
  const cmd = addModelOptions(program
    .command('flash <model>')
    .description('verify, build the Arduino self-test sketch with arduino-cli, check its size against the target budget, upload it'))
    .requiredOption('--target <name>', 'target whose Arduino board, kernel variant and budget apply (see bnnc targets)')
    .option('--port <port>', 'serial port of the board (default: the one board arduino-cli board list finds for the FQBN)')
    .option('--fqbn <fqbn>', 'arduino-cli board name (default: the target\'s)');
  addDataOptions(cmd, { required: false, purpose: 'verify on it and embed its first samples as self-test vectors (default: deterministic vectors)', limit: true })
    .option('--name <identifier>', 'C prefix and library name (default: the model name, sanitised)')
    .option('--kernel <variant>', 'kernel variant (default: the target\'s preference)')
    .option('-o, --out <dir>', 'work folder: the library (replaced) and arduino-cli\'s build folder (default: out/flash/<name>-<target>)')
    .option('--sketch <dir>', 'upload this sketch (using the generated library) instead of the self-test example')
    .option('--no-upload', 'stop after the compile and the size check')
    .action(async (path: string, opts: FlashOptions) => {
      const target = loadTarget(opts.target);
      const fqbn = opts.fqbn ?? target.arduino?.fqbn;
      if (!fqbn) {
        throw new BnncError(`target '${target.name}' has no Arduino board`, {
          file: target.file, where: 'arduino', hint: 'name one with --fqbn vendor:architecture:board',
        });
      }
      const guard = { option: '-o', inputs: [path, opts.data, opts.sketch] };
      if (opts.out) checkOutputDir(opts.out, guard);
      const { model, lowered } = loadAndLower(path, opts, io.out, io.err);
      const { limit, ...mapping } = dataOptions(opts);
      const source: VectorSource = { data: opts.data, ...mapping };
      const vectors = embeddedVectors(lowered, source);
      const footprint = checkModelFits(target, lowered, path);
      checkArraySizes(target, lowered, vectors.length, path);
      io.out(`bnnc flash: ${model.name} for ${target.name} (${fqbn}); model constants ${footprint.flashBytes} bytes, `
        + `arena ${footprint.ramBytes} bytes`);

      await verifyBeforeFlash(io, path, model, lowered, target, opts, source, vectors, limit);
      // After verification, as README says: a bad model or data set is reported even without arduino-cli.
      requireArduinoCli();

      const prefix = modelPrefix(opts.name ?? model.name);
      const name = prefix.prefix;
      const note = reservedPrefixNote(prefix);
      if (note) io.out(`note: ${note}`);
      const kernel = selectKernel(target, opts.kernel);
      const work = resolve(opts.out ?? join('out', 'flash', `${name}-${target.name}`));
      claimWorkDir(work, guard);
      const libraryDir = join(work, name);
      const buildPath = join(work, 'build');
      writeOutputDir(libraryDir, generatePackage('arduino', lowered, { name, vectors, kernel, targetName: target.name }));
      mkdirSync(buildPath, { recursive: true });
      const sketchDir = opts.sketch ? resolve(opts.sketch) : join(libraryDir, selftestSketchDir(name));
      const rel = (p: string) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p) || '.');
      const digest = selftestExpectations(lowered, vectors).digest.toString(16).padStart(8, '0');
      io.out(`library: ${rel(libraryDir)} (kernel ${kernel}; self-test: ${describeVectors(source, vectors.length)}, digest ${digest})`);

      const core = coreOf(fqbn); // the core's ID is the FQBN's vendor:architecture
      const url = core === target.arduino?.core ? target.arduino.boardManagerUrl : undefined;
      io.out(`compile: ${rel(sketchDir)} for ${fqbn}`);
      const compiled = await arduinoCompile({ fqbn, sketchDir, libraryDir, buildPath, core, boardManagerUrl: url });
      checkSketchSizes(io, target, fqbn, compiled.sizes);
      if (!opts.upload) {
        io.out('not uploaded (--no-upload)');
        return;
      }

      let port = opts.port;
      if (!port) {
        const list = await arduinoBoardList();
        for (const warning of list.warnings) io.err(`warning: arduino-cli board list: ${warning}`);
        const selected = selectPort(list, fqbn);
        port = selected.address;
        io.out(`port: ${port} (${selected.boards.map((b) => b.name).join(', ')})`);
      }
      io.out(`upload: ${port}`);
      await arduinoUpload({ port, fqbn, sketchDir, buildPath });
      io.out('uploaded');
      if (!opts.sketch) {
        io.out(`check the board against the emulator: bnnc monitor --port ${port} --model ${path}${inputArgs(opts)}${dataArgs(opts)}`);
      }
    });
}

/**
 * Host C (strict and sanitized) against the emulator always; the target's C
 * under QEMU when the target has a machine and the toolchain is installed
 * (otherwise a compile check, or nothing, said so). Data: --data; else the
 * self-test vectors themselves (written to a temporary .npy), and for the
 * bundled demo model also its bundled test images.
 */
async function verifyBeforeFlash(io: CliIo, path: string, model: Model, lowered: LoweredModel, target: Target, opts: FlashOptions,
  source: VectorSource, vectors: number[][], limit: number | undefined): Promise<void> {
  const status = toolchainStatus(target);
  if (!status.available) {
    io.out(`note: ${target.name} is verified on the host only: ${status.missing.join(', ')} not installed `
      + `(apt-get install -y ${status.aptPackages.join(' ')})`);
  }
  const runTarget = status.available ? target : undefined;
  const tmp = makeTemporaryFolder('flash');
  try {
    const runs: Array<{ data: string; label: string; limit?: number; scale?: number; offset?: number; labelColumn?: VectorSource['labelColumn'] }> = [];
    if (source.data) {
      runs.push({ data: source.data, label: source.data, limit, scale: source.scale, offset: source.offset, labelColumn: source.labelColumn });
    } else {
      const npy = join(tmp, 'selftest-vectors.npy');
      writeVectorsNpy(npy, vectors);
      runs.push({ data: npy, label: `the ${vectors.length} self-test vectors` });
      if (resolve(path) === DEMO_MODEL) {
        runs.push({ data: DEMO_DATA, label: relative(process.cwd(), DEMO_DATA), limit: limit ?? DEMO_LIMIT });
      }
    }
    for (const run of runs) {
      let report: VerifyReport;
      try {
        report = await verifyOnHost(model, lowered, {
          data: run.data, limit: run.limit, scale: run.scale, offset: run.offset, labelColumn: run.labelColumn, target: runTarget, kernel: opts.kernel, progress: terminalProgress(),
        });
      } catch (e) {
        if (!(e instanceof BnncError)) throw e;
        const Failure = e instanceof VerificationFailure ? VerificationFailure : BnncError;
        throw new Failure(`verification failed, so nothing was compiled or uploaded:\n${e.message}`);
      }
      io.out(formatReport(report, run.label));
      if (!report.ok) {
        throw new VerificationFailure(`verification failed (${report.firstMismatch ?? 'see the report above'}), so nothing was compiled or uploaded`, {
          hint: 'bnnc verify <model> --data <data> --keep <dir> keeps the generated C and the host programs for a closer look',
        });
      }
    }
  } finally {
    removeOwnedFolder(tmp);
  }
}

/**
 * Compares arduino-cli's section sizes with the target budget and the board's
 * own maxima. text (flash) and data (RAM) are compared with both; a board
 * whose sizer reports other sections is held to the maxima it states.
 */
function checkSketchSizes(io: CliIo, target: Target, fqbn: string, sizes: SectionSizes): void {
  const others = sizes.sections.filter((s) => s.name !== 'text' && s.name !== 'data');
  if (sizes.flashBytes === null && sizes.ramBytes === null && others.length === 0) {
    io.err(`warning: arduino-cli reported no section sizes for ${fqbn}: flash and RAM were not checked against ${target.name}'s budget`);
    return;
  }
  const budget = target.budget;
  const limit = (used: number, mine: number | undefined, board: number | null) => `${used} bytes`
    + (mine !== undefined ? ` (budget ${mine}` : ' (')
    + (board !== null ? `${mine !== undefined ? ', ' : ''}board maximum ${board})` : mine !== undefined ? ')' : 'no limit reported)');
  const parts = [
    ...(sizes.flashBytes !== null ? [`flash ${limit(sizes.flashBytes, budget?.flashBytes, sizes.flashMax)}`] : []),
    ...(sizes.ramBytes !== null ? [`RAM ${limit(sizes.ramBytes, budget?.ramBytes, sizes.ramMax)}`] : []),
    ...others.map((s) => `${s.name} ${limit(s.size, undefined, s.maxSize)}`),
  ];
  io.out(`  sketch: ${parts.join(', ')} (arduino-cli: ${others.length > 0 ? 'sections of the board\'s sizer' : 'text and data sections'}, whole sketch)`);
  const unchecked = [...(sizes.flashBytes === null ? ['flash (text)'] : []), ...(sizes.ramBytes === null ? ['RAM (data)'] : [])];
  if (unchecked.length > 0 && budget) {
    io.err(`warning: arduino-cli reported no ${unchecked.join(' or ')} size for ${fqbn}: ${unchecked.length > 1 ? 'they were' : 'it was'} not checked against ${target.name}'s budget`
      + (others.length > 0 ? ` (the board's sizer reports ${others.map((s) => s.name).join(', ')}, checked against the board's maxima)` : ''));
  }
  const problems = budgetProblems(target, { flashBytes: sizes.flashBytes ?? 0, ramBytes: sizes.ramBytes ?? 0 });
  if (sizes.flashMax !== null && sizes.flashBytes !== null && sizes.flashBytes > sizes.flashMax) problems.push(`needs ${sizes.flashBytes} bytes of flash, the board has ${sizes.flashMax}`);
  if (sizes.ramMax !== null && sizes.ramBytes !== null && sizes.ramBytes > sizes.ramMax) problems.push(`needs ${sizes.ramBytes} bytes of RAM, the board has ${sizes.ramMax}`);
  for (const s of others) {
    if (s.maxSize !== null && s.size > s.maxSize) problems.push(`needs ${s.size} bytes of ${s.name}, the board has ${s.maxSize}`);
  }
  if (problems.length > 0) {
    throw new BnncError(`the sketch does not fit ${target.name}: ${problems.join('; ')}; nothing was uploaded`, {
      expected: budget ? `at most ${budget.flashBytes} bytes of flash and ${budget.ramBytes} bytes of RAM (${target.file})` : undefined,
      hint: 'use a smaller model, or a board with more memory',
    });
  }
}
