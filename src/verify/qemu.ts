/**
 * L3: the same generated C, cross-compiled for a target with the kernel
 * variant it selects, run under QEMU with -icount. Every activation word, score
 * and class of every sample is printed by the guest and compared with the
 * emulator; instructions are counted per layer around each kernel call.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateC, type GeneratedFile } from '../codegen/generate.ts';
import { selectKernel } from '../codegen/kernels.ts';
import { float32Literal, inlineList, int32Literal } from '../codegen/literals.ts';
import { modelProvenance } from '../codegen/banner.ts';
import { render } from '../codegen/templates.ts';
import type { EmulatorResult } from '../emulator/index.ts';
import { BnncError } from '../errors.ts';
import type { LoweredModel } from '../ir/types.ts';
import type { Target } from '../targets/types.ts';
import { crossBuild, crossCompile } from '../toolchain/cross.ts';
import { runQemu } from '../toolchain/qemu.ts';
import { timingModelFor } from '../toolchain/cycles.ts';
import { traceCallCosts } from '../toolchain/trace.ts';
import type { Progress } from './progress.ts';

export interface QemuReport {
  kernel: string;
  bitExact: { equal: number; total: number };
  firstMismatch: string | null;
  selftestDigest: string;
  /** Mean instructions per inference over the samples (layers + output stage). */
  instructionsPerInference: number;
  /** Mean instructions per layer, the last entry being the output transform and argmax. */
  instructionsPerLayer: number[];
  /**
   * Modelled cycles of one inference (the first sample's <name>_predict call, priced by the
   * target core's timing model over QEMU's execution trace) and the same call's instructions;
   * null when not asked for (options.cycles) or the core has no model.
   */
  cycles: { perInference: number; instructions: number } | null;
  /** Firmware (model + kernels, no test vectors or harness) for the target, from its objects. */
  flashBytes: number;
  ramBytes: number;
}

/** How many samples fit in one QEMU program next to the model (flash of the emulated machine). */
function samplesPerRun(target: Target, model: LoweredModel): number {
  const bytesPerSample = model.input.features * (model.input.dtype === 'float32' ? 4 : 1);
  const modelBytes = model.layers.reduce((s, l) => s + ('weights' in l ? l.weights.length * 4 : 0), 0);
  const room = target.qemu!.memory.flash.length - modelBytes - 64 * 1024;
  return Math.max(1, Math.min(500, Math.floor(room / bytesPerSample)));
}

function parseGuestOutput(stdout: string) {
  const samples = new Map<number, number[]>();
  const profiles = new Map<number, number[]>();
  let digest = '';
  for (const line of stdout.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === 'T') digest = parts[1].replace(/^0x/, '');
    if (parts[0] === 'S') samples.set(Number(parts[1]), parts.slice(2).map((h) => Number.parseInt(h, 16) >>> 0));
    if (parts[0] === 'P') profiles.set(Number(parts[1]), parts.slice(2).map(Number));
  }
  return { samples, profiles, digest };
}

function expectedWords(r: EmulatorResult): number[] {
  return [...r.activations.flatMap((a) => Array.from(a)), ...Array.from(r.scores, (s) => s >>> 0), r.prediction >>> 0];
}

function describeMismatch(model: LoweredModel, r: EmulatorResult, got: number[], sample: number): string {
  const want = expectedWords(r);
  const index = want.findIndex((w, i) => got[i] !== w);
  let offset = 0;
  for (let l = 0; l < r.activations.length; l++) {
    if (index < offset + r.activations[l].length) {
      const w = index - offset;
      const x = ((got[index] ?? 0) ^ want[index]) >>> 0;
      return `sample ${sample}, layer ${l} ("${model.layers[l].name}"), channel ${w * 32 + (31 - Math.clz32(x & -x))}`;
    }
    offset += r.activations[l].length;
  }
  const o = index - offset;
  return o < r.scores.length ? `sample ${sample}, scores, class ${o}: QEMU ${got[index] | 0}, emulator ${r.scores[o]}`
    : `sample ${sample}, predicted class: QEMU ${got[index]}, emulator ${r.prediction}`;
}

function sampleLiteral(model: LoweredModel): (v: number) => string {
  return model.input.dtype === 'float32' ? float32Literal : int32Literal;
}

export async function verifyOnQemu(
  model: LoweredModel, target: Target, name: string, vectors: number[][], inputs: number[][], emu: EmulatorResult[],
  dir: string, options: { kernel?: string; progress?: Progress; cycles?: boolean } = {},
): Promise<QemuReport> {
  if (!target.qemu) throw new BnncError(`target ${target.name} has no QEMU machine`, { file: target.file, hint: 'use --target with one of the QEMU targets (bnnc targets)' });
  const kernel = selectKernel(target, options.kernel);
  const files: GeneratedFile[] = generateC(model, { name, vectors, kernelVariant: kernel, target: target.name });
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.name), f.content);
  const origin = modelProvenance(model);
  const common = { name, upper: name.toUpperCase(), header: `${name}.h`, layerCount: model.layers.length };
  const perRun = samplesPerRun(target, model);
  const sizes = await crossCompile(target, {
    sources: files.filter((f) => f.name.endsWith('.c') && !f.name.endsWith('_selftest.c')).map((f) => join(dir, f.name)),
    includeDirs: [dir], outDir: join(dir, 'firmware-objects'),
  });

  let equal = 0;
  let firstMismatch: string | null = null;
  let digest = '';
  const layerSums = new Array(model.layers.length + 1).fill(0);
  options.progress?.start(`QEMU ${target.name} (${kernel})`, inputs.length);
  for (let start = 0; start < inputs.length; start += perRun) {
    const chunk = inputs.slice(start, start + perRun);
    const runDir = join(dir, `run-${start}`);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'bnnc_qemu_main.c'), render('c/qemu_main.c', 'bnnc_qemu_main.c', origin, { ...common, sampleCount: chunk.length }));
    writeFileSync(join(runDir, 'bnnc_qemu_samples.c'), render('c/qemu_samples.c', 'bnnc_qemu_samples.c', origin, {
      ...common, sampleCount: chunk.length, samples: chunk.map((x) => inlineList(x, sampleLiteral(model))),
    }));
    const build = await crossBuild(target, {
      sources: [...files.filter((f) => f.name.endsWith('.c')).map((f) => join(dir, f.name)), join(runDir, 'bnnc_qemu_main.c'), join(runDir, 'bnnc_qemu_samples.c')],
      includeDirs: [dir], defines: { BNNC_TRACE: '1', BNNC_PROFILE: '1' }, outDir: join(runDir, 'build'), name: name,
    });
    const run = await runQemu(target, build.elf, { mode: 'icount', timeoutMs: 300_000 });
    const out = parseGuestOutput(run.stdout);
    digest = out.digest;
    if (run.exitCode !== 0 && out.samples.size === 0) {
      throw new BnncError(`the QEMU run failed with exit status ${run.exitCode}`, { where: target.name, hint: (run.stdout + run.stderr).trim().slice(-2000) });
    }
    chunk.forEach((_, k) => {
      const s = start + k;
      const got = out.samples.get(k) ?? [];
      const want = expectedWords(emu[s]);
      if (got.length === want.length && got.every((w, i) => w === want[i])) equal++;
      else firstMismatch ??= got.length === 0 ? `sample ${s}: no output from QEMU` : describeMismatch(model, emu[s], got, s);
      (out.profiles.get(k) ?? []).forEach((v, l) => { layerSums[l] += v; });
      options.progress?.tick();
    });
  }
  options.progress?.stop();
  const cycles = options.cycles ? await traceOneInference(target, name, files, dir, origin, common, inputs[0], model) : null;
  const perLayer = layerSums.map((v) => Math.round(v / inputs.length));
  return {
    kernel,
    bitExact: { equal, total: inputs.length },
    firstMismatch,
    selftestDigest: digest,
    instructionsPerInference: perLayer.reduce((a, b) => a + b, 0),
    instructionsPerLayer: perLayer,
    cycles,
    flashBytes: sizes.flashBytes,
    ramBytes: sizes.ramBytes,
  };
}

/**
 * Cycles of one inference: a build with the first sample only, no trace or
 * profile hooks and no self-test, run under QEMU's execution trace; its one
 * <name>_predict call is priced with the core's timing model. Null for cores
 * without a model.
 */
async function traceOneInference(
  target: Target, name: string, files: GeneratedFile[], dir: string, origin: ReturnType<typeof modelProvenance>,
  common: Record<string, unknown>, input: number[], model: LoweredModel,
): Promise<{ perInference: number; instructions: number } | null> {
  if (!timingModelFor(target.compiler.cflags)) return null;
  const runDir = join(dir, 'cycles');
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'bnnc_qemu_main.c'), render('c/qemu_main.c', 'bnnc_qemu_main.c', origin, { ...common, sampleCount: 1, cyclesRun: true }));
  writeFileSync(join(runDir, 'bnnc_qemu_samples.c'), render('c/qemu_samples.c', 'bnnc_qemu_samples.c', origin, {
    ...common, sampleCount: 1, samples: [inlineList(input, sampleLiteral(model))],
  }));
  const build = await crossBuild(target, {
    sources: [...files.filter((f) => f.name.endsWith('.c')).map((f) => join(dir, f.name)), join(runDir, 'bnnc_qemu_main.c'), join(runDir, 'bnnc_qemu_samples.c')],
    includeDirs: [dir], outDir: join(runDir, 'build'), name,
  });
  const costs = await traceCallCosts(target, build.elf, [`${name}_predict`], 1_800_000);
  const last = costs?.get(`${name}_predict`)?.at(-1);
  return last ? { perInference: last.cycles, instructions: last.instructions } : null;
}
