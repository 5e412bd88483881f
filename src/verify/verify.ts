/**
 * `bnnc verify`: the emulator (L1) against the generated C on the host (L2,
 * strict and sanitizer builds) bit for bit, against the float reference (L0)
 * with every difference classified, and accuracy when the data has labels.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { crossCompile } from '../toolchain/cross.ts';
import { loadTarget } from '../targets/load.ts';
import { join } from 'node:path';
import { generateC, generateHostMain, type GeneratedFile } from '../codegen/generate.ts';
import { modelPrefix } from '../codegen/sanitize.ts';
import { loadDataset, type Dataset } from '../data/index.ts';
import type { LabelColumn } from '../data/csv.ts';
import { emulate, type EmulatorResult } from '../emulator/index.ts';
import { BnncError } from '../errors.ts';
import { stageOutputDir } from '../files/output.ts';
import { makeTemporaryFolder, removeOwnedFolder } from '../files/temporary.ts';
import type { LoweredModel, Model } from '../ir/types.ts';
import { createReference, type ReferenceChoice } from '../reference/index.ts';
import { buildHostProgram, runHostProgram, SANITIZER_FLAGS, STRICT_FLAGS } from '../toolchain/host.ts';
import { compareWithReference, emptyReferenceStats, type ReferenceStats } from './compareReference.ts';
import { deviceInputs, selftestVectors } from './inputs.ts';
import type { Progress } from './progress.ts';
import { verifyOnQemu } from './qemu.ts';
import { millis } from '../toolchain/cycles.ts';
import type { Target } from '../targets/types.ts';
import { selectKernel } from '../codegen/kernels.ts';

export interface VerifyOptions {
  data?: string;
  limit?: number;
  scale?: number;
  offset?: number;
  /** CSV only: the labels' column (see src/data/csv.ts). */
  labelColumn?: LabelColumn;
  /** Keep the generated sources and host programs here, a new, empty or bnnc-made folder (default: a temporary folder, removed). */
  workDir?: string;
  /** Skip the sanitizer build (it is slower). */
  noSanitize?: boolean;
  /** Skip the float reference. */
  noReference?: boolean;
  /** Float reference for standard ONNX graphs (default auto: onnxruntime when installed, else bnnc's interpreter). */
  referenceEngine?: ReferenceChoice;
  progress?: Progress;
  /** Also cross-compile for this target and, where it has a QEMU machine, run it there (L3). */
  target?: Target;
  /** Kernel variant override for the target (--kernel). */
  kernel?: string;
  /** Also price one inference in cycles on the target (--cycles; an execution trace, slow on large models). */
  cycles?: boolean;
}

export interface BitExactCount {
  equal: number;
  total: number;
}

export interface VerifyReport {
  model: string;
  target: string;
  samples: number;
  bitExact: { host: BitExactCount; hostSanitized: BitExactCount | null; qemu: BitExactCount | null };
  reference: (ReferenceStats & { argmaxEqual: number; total: number; ties: number }) | null;
  accuracy: number | null;
  flashBytes: number;
  ramBytes: number;
  /** First difference between emulator and C, if any. */
  firstMismatch: string | null;
  selftest: { digest: string; vectors: number };
  /** QEMU runs only (else null): mean instructions per inference, and per layer (last entry: output stage). */
  instructionsPerInference: number | null;
  instructionsPerLayer: number[] | null;
  /**
   * With the cycles option, on cores with a timing model (else null): modelled cycles of one
   * inference (the first sample), the instructions of that call, and milliseconds at the
   * target's clock (docs/cycles.md).
   */
  cycles: { perInference: number; instructions: number; ms: number | null } | null;
  /** Kernel variant the target build used (null on host runs, which build the portable kernels). */
  kernel: string | null;
  ok: boolean;
}

/** Serialises device inputs as the host driver reads them: uint32 count, then raw values (little-endian). */
function inputFile(model: LoweredModel, inputs: number[][]): Buffer {
  const n = model.input.features;
  const size = model.input.dtype === 'float32' ? 4 : 1;
  const buf = Buffer.alloc(4 + inputs.length * n * size);
  buf.writeUInt32LE(inputs.length, 0);
  const body = new DataView(buf.buffer, buf.byteOffset + 4, inputs.length * n * size);
  inputs.forEach((row, s) => {
    const base = s * n * size;
    for (let i = 0; i < n; i++) {
      if (model.input.dtype === 'float32') body.setFloat32(base + 4 * i, row[i], true);
      else if (model.input.dtype === 'uint8') body.setUint8(base + i, row[i]);
      else body.setInt8(base + i, row[i]);
    }
  });
  return buf;
}

/** Compares the host program's output file with the emulator, word by word. */
export function compareHostOutput(model: LoweredModel, emu: EmulatorResult[], output: Buffer, what: string): { count: BitExactCount; first: string | null } {
  const classes = model.classes;
  const traced = model.memory.layers.filter((l) => l.outputOffset >= 0);
  const perSample = traced.reduce((s, l) => s + l.outputBytes, 0) + 4 * (classes + 1);
  if (output.length !== perSample * emu.length) {
    return { count: { equal: 0, total: emu.length }, first: `${what}: output has ${output.length} bytes, expected ${perSample * emu.length}` };
  }
  let equal = 0;
  let first: string | null = null;
  emu.forEach((r, s) => {
    let off = s * perSample;
    let diff: string | null = null;
    r.activations.forEach((bits, l) => {
      for (let w = 0; w < bits.length; w++, off += 4) {
        const got = output.readUInt32LE(off);
        if (got !== bits[w] && !diff) {
          const x = (got ^ bits[w]) >>> 0;
          const channel = w * 32 + (31 - Math.clz32(x & -x));
          diff = `sample ${s}, layer ${l} ("${model.layers[l].name}"), channel ${channel}: C word 0x${got.toString(16)}, emulator 0x${bits[w].toString(16)}`;
        }
      }
    });
    for (let o = 0; o <= classes; o++, off += 4) {
      const got = output.readInt32LE(off);
      const want = o < classes ? r.scores[o] : r.prediction;
      if (got !== want && !diff) {
        diff = o < classes
          ? `sample ${s}, scores layer ("${model.layers.at(-1)!.name}"), class ${o}: C ${got}, emulator ${want}`
          : `sample ${s}, predicted class: C ${got}, emulator ${want}`;
      }
    }
    if (diff) first ??= `${what}: ${diff}`;
    else equal++;
  });
  return { count: { equal, total: emu.length }, first };
}

/** The strict or the sanitizer build of the host program. */
function hostBuild(dir: string, files: GeneratedFile[], sanitize: boolean): Promise<string> {
  const sources = files.filter((f) => f.name.endsWith('.c')).map((f) => f.name);
  return buildHostProgram(dir, sources, sanitize ? 'bnnc_host_asan' : 'bnnc_host', sanitize ? SANITIZER_FLAGS : STRICT_FLAGS, ['BNNC_TRACE']);
}

/** Builds and runs a host program over the inputs file (no emulator needed: it runs while the emulator does). */
async function hostExecute(dir: string, files: GeneratedFile[], inPath: string, sanitize: boolean): Promise<{ output: Buffer; digest: string }> {
  const exe = await hostBuild(dir, files, sanitize);
  const outPath = join(dir, sanitize ? 'outputs_asan.bin' : 'outputs.bin');
  const stdout = await runHostProgram(exe, [inPath, outPath], sanitize ? 'the sanitizer build' : 'the host build');
  return { output: readFileSync(outPath), digest: /selftest digest ([0-9a-f]{8})/.exec(stdout)?.[1] ?? '' };
}

/** The host program's trace against the emulator. */
async function hostCompare(model: LoweredModel, execution: Promise<{ output: Buffer; digest: string }>, sanitize: boolean, emu: EmulatorResult[]) {
  const { output, digest } = await execution;
  return { ...compareHostOutput(model, emu, output, sanitize ? 'host (ASan/UBSan)' : 'host'), digest };
}

function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/** A promise whose rejection is reported where it is awaited, not as unhandled while other work runs. */
function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function accuracy(emu: EmulatorResult[], data: Dataset): number | null {
  if (!data.labels) return null;
  const correct = emu.filter((r, s) => r.prediction === data.labels![s]).length;
  return correct / emu.length;
}

/**
 * L1 against L0 only (no C): the emulator on every sample of `data`, compared
 * with the float reference. What the differential sweep runs for most models.
 */
export async function verifyAgainstReference(model: Model, lowered: LoweredModel, data: Dataset, choice?: ReferenceChoice): Promise<ReferenceStats> {
  const inputs = deviceInputs(lowered, data);
  return referenceStats(model, lowered, data, inputs, inputs.map((x) => emulate(lowered, x)), choice);
}

async function referenceStats(model: Model, lowered: LoweredModel, data: Dataset, inputs: number[][], emu: EmulatorResult[],
  choice: ReferenceChoice | undefined, progress?: Progress): Promise<ReferenceStats> {
  const reference = await createReference(model, lowered, choice);
  const stats = emptyReferenceStats(reference.engine, reference.note);
  const n = model.input.features;
  progress?.start(`reference (${reference.engine})`, emu.length);
  for (let s = 0; s < emu.length; s++) {
    const ref = await reference.run(data.inputs.subarray(s * n, (s + 1) * n));
    compareWithReference(lowered, stats, s, inputs[s], emu[s], ref);
    progress?.tick();
  }
  progress?.stop();
  return stats;
}

/** Firmware sizes on the host: the model and kernel objects, without the self-test vectors. */
function firmwareFiles(files: GeneratedFile[], name: string): GeneratedFile[] {
  return files.filter((f) => f.name.endsWith('.c') && f.name !== `${name}_selftest.c` && f.name !== 'bnnc_host_main.c');
}

export async function verifyOnHost(model: Model, lowered: LoweredModel, options: VerifyOptions): Promise<VerifyReport> {
  if (!options.data) {
    throw new BnncError('no data to verify with', { expected: '--data <folder of IDX files | .npy | .npz | .csv>' });
  }
  const data = loadDataset(options.data, {
    limit: options.limit, scale: options.scale, offset: options.offset, labelColumn: options.labelColumn, classes: model.classes,
  });
  if (data.features !== model.input.features) {
    throw new BnncError(`samples have ${data.features} values, the model takes ${model.input.features}`, {
      file: options.data, expected: `${model.input.features} values per sample (input shape [${model.input.shape.join(', ')}])`,
    });
  }
  const inputs = deviceInputs(lowered, data);
  const name = modelPrefix(model.name).prefix;
  const vectors = selftestVectors(inputs);
  const files = [...generateC(lowered, { name, vectors }), generateHostMain(lowered, name)];
  // --keep: the folder is replaced once the run ends (also when it fails: that is when the files are wanted).
  const kept = options.workDir ? stageOutputDir(options.workDir, { option: '--keep', inputs: [model.sourcePath, options.data] }) : null;
  const dir = kept ? kept.staging : makeTemporaryFolder('verify');
  try {
    for (const f of files) writeFileSync(join(dir, f.name), f.content);
    const inPath = join(dir, 'inputs.bin');
    writeFileSync(inPath, inputFile(lowered, inputs));
    // The C programs are compiled and run in their own processes while the emulator and the reference run here.
    const strictRun = started(hostExecute(dir, files, inPath, false));
    const sanitizedRun = options.noSanitize ? null : started(hostExecute(dir, files, inPath, true));
    const hostSizes = started(hostFirmwareSizes(dir, firmwareFiles(files, name)));
    options.progress?.start('emulator', inputs.length);
    const emu = inputs.map((x) => { const r = emulate(lowered, x); options.progress?.tick(); return r; });
    options.progress?.stop();
    const reference = options.noReference ? null : await referenceStats(model, lowered, data, inputs, emu, options.referenceEngine, options.progress);
    options.progress?.start(options.noSanitize ? 'host C (strict build)' : 'host C (strict and ASan/UBSan)', 1);
    // Both programs run before either failure is reported: the folder is removed only once neither runs.
    const [hostRunResult, sanitizedRunResult] = await Promise.allSettled([
      hostCompare(lowered, strictRun, false, emu),
      sanitizedRun ? hostCompare(lowered, sanitizedRun, true, emu) : null,
    ]);
    const host = settledValue(hostRunResult);
    const sanitized = settledValue(sanitizedRunResult);
    options.progress?.stop();
    const target = options.target && options.target.arch !== 'host' ? options.target : null;
    let sizes = await hostSizes;
    let qemu: Awaited<ReturnType<typeof verifyOnQemu>> | null = null;
    let kernel: string | undefined;
    if (target?.qemu) {
      qemu = await verifyOnQemu(lowered, target, name, vectors, inputs, emu, join(dir, target.name), { kernel: options.kernel, progress: options.progress, cycles: options.cycles });
      sizes = { flashBytes: qemu.flashBytes, ramBytes: qemu.ramBytes };
      kernel = qemu.kernel;
    } else if (target) {
      kernel = selectKernel(target, options.kernel);
      sizes = await targetFirmwareSizes(target, kernel, lowered, name, vectors, join(dir, target.name));
    }
    const firstMismatch = host.first ?? sanitized?.first ?? (qemu?.firstMismatch ? `QEMU ${target!.name}: ${qemu.firstMismatch}` : null);
    const ok = firstMismatch === null && host.count.equal === host.count.total
      && (!sanitized || sanitized.count.equal === sanitized.count.total)
      && (!qemu || qemu.bitExact.equal === qemu.bitExact.total)
      && (!reference || reference.divergence.unexplained === 0);
    return {
      model: model.name,
      target: target?.name ?? 'host',
      samples: inputs.length,
      bitExact: { host: host.count, hostSanitized: sanitized?.count ?? null, qemu: qemu?.bitExact ?? null },
      reference,
      accuracy: accuracy(emu, data),
      ...sizes,
      firstMismatch,
      selftest: { digest: host.digest, vectors: vectors.length },
      instructionsPerInference: qemu?.instructionsPerInference ?? null,
      instructionsPerLayer: qemu?.instructionsPerLayer ?? null,
      cycles: qemu?.cycles ? { ...qemu.cycles, ms: target?.clockHz ? millis(qemu.cycles.perInference, target.clockHz) : null } : null,
      kernel: kernel ?? null,
      ok,
    };
  } catch (e) {
    // Messages name the files where the user will find them once the folder is in place.
    if (kept && e instanceof Error) e.message = e.message.split(kept.staging).join(kept.target);
    throw e;
  } finally {
    if (kept) kept.commit();
    else removeOwnedFolder(dir);
  }
}

/** Firmware sizes for a target bnnc cannot run (compile check only): objects, before --gc-sections. */
async function targetFirmwareSizes(target: Target, kernel: string, lowered: LoweredModel, name: string, vectors: number[][], dir: string) {
  const files = generateC(lowered, { name, vectors, kernelVariant: kernel, target: target.name });
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.name), f.content);
  const result = await crossCompile(target, {
    sources: firmwareFiles(files, name).map((f) => join(dir, f.name)), includeDirs: [dir], outDir: join(dir, 'objects'),
  });
  return { flashBytes: result.flashBytes, ramBytes: result.ramBytes };
}

async function hostFirmwareSizes(dir: string, files: GeneratedFile[]): Promise<{ flashBytes: number; ramBytes: number }> {
  const result = await crossCompile(loadTarget('host'), {
    sources: files.map((f) => join(dir, f.name)), includeDirs: [dir], outDir: join(dir, 'sizes'),
  });
  return { flashBytes: result.flashBytes, ramBytes: result.ramBytes };
}
