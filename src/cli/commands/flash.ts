/**
 * bnnc flash <model> --target T: verify, package as an Arduino library,
 * `arduino-cli compile`, check the reported sizes against the target budget,
 * `arduino-cli upload`. Each step runs only when the one before it passed:
 * no upload after a failed verification, an over-budget build, or an unclear
 * port.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { generateC, selftestExpectations } from '../../codegen/generate.ts';
import { selectKernel } from '../../codegen/kernels.ts';
import { toCIdentifier } from '../../codegen/sanitize.ts';
import { parseScale } from '../../data/index.ts';
import { BnncError } from '../../errors.ts';
import type { LoweredModel, Model } from '../../ir/types.ts';
import { checkModelFits } from '../../package/checks.ts';
import { packageFiles, selftestSketchDir } from '../../package/index.ts';
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
import { addModelOptions, loadAndLower, parsePositiveInt, type ModelOptions } from '../common.ts';
import type { CliIo } from '../io.ts';
import { checkOutputDir, writeOutputDir } from '../output.ts';
import { formatReport } from '../report.ts';
import { DEMO_DATA, DEMO_MODEL } from './demo.ts';

interface FlashOptions extends ModelOptions {
  target: string;
  port?: string;
  fqbn?: string;
  data?: string;
  limit?: string;
  dataScale?: string;
  dataOffset?: string;
  name?: string;
  kernel?: string;
  out?: string;
  sketch?: string;
  upload: boolean;
}

/** Samples of the bundled test set verified when the demo model is flashed without --data. */
const DEMO_LIMIT = 100;

export function registerFlash(program: Command, io: CliIo): void {
  addModelOptions(program
    .command('flash <model>')
    .description('verify, build the Arduino self-test sketch with arduino-cli, check its size against the target budget, upload it'))
    .requiredOption('--target <name>', 'target whose Arduino board, kernel variant and budget apply (see bnnc targets)')
    .option('--port <port>', 'serial port of the board (default: the one board arduino-cli board list finds for the FQBN)')
    .option('--fqbn <fqbn>', 'arduino-cli board name (default: the target\'s)')
    .option('--data <path>', 'verify on this data set and embed its first samples as self-test vectors (default: deterministic vectors)')
    .option('--limit <n>', 'verify on the first N samples of --data')
    .option('--data-scale <s>', 'map stored values v to S*v+O (e.g. 1/255)')
    .option('--data-offset <o>', 'offset O of that map')
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
      requireArduinoCli(); // before minutes of verification
      if (opts.out) checkOutputDir(opts.out);
      const { model, lowered } = loadAndLower(path, opts, io.out);
      const source: VectorSource = {
        data: opts.data,
        scale: opts.dataScale ? parseScale(opts.dataScale) : undefined,
        offset: opts.dataOffset ? parseScale(opts.dataOffset, '--data-offset') : undefined,
      };
      const vectors = embeddedVectors(lowered, source);
      const footprint = checkModelFits(target, lowered, path);
      io.out(`bnnc flash: ${model.name} for ${target.name} (${fqbn}); model constants ${footprint.flashBytes} bytes, `
        + `arena ${footprint.ramBytes} bytes`);

      await verifyBeforeFlash(io, path, model, lowered, target, opts, source, vectors);

      const name = opts.name ? toCIdentifier(opts.name) : toCIdentifier(model.name);
      const kernel = selectKernel(target, opts.kernel);
      const work = resolve(opts.out ?? join('out', 'flash', `${name}-${target.name}`));
      const libraryDir = join(work, name);
      const buildPath = join(work, 'build');
      const sources = generateC(lowered, { name, vectors, kernelVariant: kernel, target: target.name });
      writeOutputDir(libraryDir, packageFiles('arduino', { model: lowered, name, vectorCount: vectors.length, targetName: target.name, kernel }, sources));
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
        const selected = selectPort(await arduinoBoardList(), fqbn);
        port = selected.address;
        io.out(`port: ${port} (${selected.boards.map((b) => b.name).join(', ')})`);
      }
      io.out(`upload: ${port}`);
      await arduinoUpload({ port, fqbn, sketchDir, buildPath });
      io.out('uploaded');
      if (!opts.sketch) {
        const dataArgs = opts.data ? ` --data ${opts.data}${opts.dataScale ? ` --data-scale ${opts.dataScale}` : ''}${opts.dataOffset ? ` --data-offset ${opts.dataOffset}` : ''}` : '';
        const inputArgs = `${opts.inputType ? ` --input-type ${opts.inputType}` : ''}${opts.inputScale ? ` --input-scale ${opts.inputScale}` : ''}${opts.inputZeroPoint ? ` --input-zero-point ${opts.inputZeroPoint}` : ''}`;
        io.out(`check the board against the emulator: bnnc monitor --port ${port} --model ${path}${inputArgs}${dataArgs}`);
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
  source: VectorSource, vectors: number[][]): Promise<void> {
  const status = toolchainStatus(target);
  if (!status.available) {
    io.out(`note: ${target.name} is verified on the host only: ${status.missing.join(', ')} not installed `
      + `(apt-get install -y ${status.aptPackages.join(' ')})`);
  }
  const runTarget = status.available ? target : undefined;
  const tmp = mkdtempSync(join(tmpdir(), 'bnnc-flash-'));
  try {
    const runs: Array<{ data: string; label: string; limit?: number; scale?: number; offset?: number }> = [];
    if (source.data) {
      runs.push({ data: source.data, label: source.data, limit: opts.limit ? parsePositiveInt(opts.limit, '--limit') : undefined, scale: source.scale, offset: source.offset });
    } else {
      const npy = join(tmp, 'selftest-vectors.npy');
      writeVectorsNpy(npy, vectors);
      runs.push({ data: npy, label: `the ${vectors.length} self-test vectors` });
      if (resolve(path) === DEMO_MODEL) {
        runs.push({ data: DEMO_DATA, label: relative(process.cwd(), DEMO_DATA), limit: opts.limit ? parsePositiveInt(opts.limit, '--limit') : DEMO_LIMIT });
      }
    }
    for (const run of runs) {
      let report: VerifyReport;
      try {
        report = await verifyOnHost(model, lowered, {
          data: run.data, limit: run.limit, scale: run.scale, offset: run.offset, target: runTarget, kernel: opts.kernel, progress: terminalProgress(),
        });
      } catch (e) {
        if (!(e instanceof BnncError)) throw e;
        throw new BnncError(`verification failed, so nothing was compiled or uploaded:\n${e.message}`);
      }
      io.out(formatReport(report, run.label));
      if (!report.ok) {
        throw new BnncError(`verification failed (${report.firstMismatch ?? 'see the report above'}), so nothing was compiled or uploaded`, {
          hint: 'bnnc verify <model> --data <data> --keep <dir> keeps the generated C and the host programs for a closer look',
        });
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Compares arduino-cli's section sizes with the target budget and the board's own maximum. */
function checkSketchSizes(io: CliIo, target: Target, fqbn: string, sizes: SectionSizes): void {
  if (sizes.flashBytes === null || sizes.ramBytes === null) {
    io.err(`warning: arduino-cli reported no section sizes for ${fqbn}: flash and RAM were not checked against ${target.name}'s budget`);
    return;
  }
  const budget = target.budget;
  const limit = (used: number, mine: number | undefined, board: number | null) => `${used} bytes`
    + (mine !== undefined ? ` (budget ${mine}` : ' (')
    + (board !== null ? `${mine !== undefined ? ', ' : ''}board maximum ${board})` : mine !== undefined ? ')' : 'no limit reported)');
  io.out(`  sketch: flash ${limit(sizes.flashBytes, budget?.flashBytes, sizes.flashMax)}, RAM ${limit(sizes.ramBytes, budget?.ramBytes, sizes.ramMax)} `
    + '(arduino-cli: text and data sections, whole sketch)');
  const problems = budgetProblems(target, { flashBytes: sizes.flashBytes, ramBytes: sizes.ramBytes });
  if (sizes.flashMax !== null && sizes.flashBytes > sizes.flashMax) problems.push(`needs ${sizes.flashBytes} bytes of flash, the board has ${sizes.flashMax}`);
  if (sizes.ramMax !== null && sizes.ramBytes > sizes.ramMax) problems.push(`needs ${sizes.ramBytes} bytes of RAM, the board has ${sizes.ramMax}`);
  if (problems.length > 0) {
    throw new BnncError(`the sketch does not fit ${target.name}: ${problems.join('; ')}; nothing was uploaded`, {
      expected: budget ? `at most ${budget.flashBytes} bytes of flash and ${budget.ramBytes} bytes of RAM (${target.file})` : undefined,
      hint: 'use a smaller model, or a board with more memory',
    });
  }
}
