/**
 * The binary convolution benchmark (`conv3x3`): one bnn_conv2d_b1 layer,
 * 16x16 pixels of 32 channels -> 32 channels, kernel 3x3, stride 1, float-zero
 * padding 1 (so the border positions count too), per target and kernel
 * variant, timed under QEMU -icount (exact instruction counts) and checked
 * word for word against the emulator. perMac = instructions / binary MACs
 * (16 * 16 positions * 32 outputs * 9 taps * 32 channels), comparable with the
 * dense benchmark's perWord / 32.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packBits, wordsFor } from '../bitops.ts';
import type { Provenance } from '../codegen/banner.ts';
import type { Padding } from '../ir/types.ts';
import { hexWords, int32s } from '../codegen/literals.ts';
import { kernelConfig, popcountHeaders } from '../codegen/kernels.ts';
import { render, runtimeFile } from '../codegen/templates.ts';
import { claimWorkDir } from '../files/output.ts';
import { tapBitWeights } from '../ops/common/conv.ts';
import { convParamsInitializer } from '../ops/common/convParams.ts';
import { conv2dB1 } from '../ops/conv2d_b1/emulate.ts';
import { conv2dB1Layer, conv2dB1Op, conv2dB1RowsFile, type Conv2dB1Layer } from '../ops/conv2d_b1/index.ts';
import { listTargets } from '../targets/load.ts';
import type { Target } from '../targets/types.ts';
import { crossBuild, toolchainStatus } from '../toolchain/cross.ts';
import { runOnTarget } from '../toolchain/run.ts';
import { PROJECT_ROOT } from '../version.ts';
import { benchVariants } from './dense.ts';
import { rng32 } from './denseProgram.ts';

/** A conv2d_b1 layer, its input and the output the emulator computes for it. */
export interface ConvCase {
  layer: Conv2dB1Layer;
  x: Uint32Array;
  out: Uint32Array;
  /** Binary multiply-accumulates of one call. */
  macs: number;
}

export interface ConvShape {
  size: number;
  inC: number;
  outC: number;
  kernel: number;
  pad: number;
  /** Default 'zero' (float-zero padding). */
  padding?: Padding;
}

export const CONV3X3: ConvShape = { size: 16, inC: 32, outC: 32, kernel: 3, pad: 1 };

/** Random packed words with the tail bits of each group of `bits` cleared. */
function randomGroups(next: () => number, groups: number, bits: number): Uint32Array {
  const words = wordsFor(bits);
  const data = new Uint32Array(groups * words);
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < words; i++) data[g * words + i] = next();
    if (bits % 32) data[g * words + words - 1] &= (2 ** (bits % 32) - 1) >>> 0;
  }
  return data;
}

/** A random stride-1 binary convolution (float-zero padding unless stated) with thresholds around 0 (both output values occur). */
export function makeConvCase(next: () => number, s: ConvShape = CONV3X3): ConvCase {
  const out = s.size + 2 * s.pad - s.kernel + 1;
  const threshold = new Int32Array(s.outC);
  const flip = new Uint8Array(s.outC);
  for (let o = 0; o < s.outC; o++) {
    threshold[o] = (next() % 33) - 16;
    flip[o] = next() & 1;
  }
  const layer = conv2dB1Layer({
    name: `conv${s.kernel}x${s.kernel}`, sources: [],
    inShape: [s.size, s.size, s.inC], convShape: [out, out, s.outC], outShape: [out, out, s.outC],
    kernel: [s.kernel, s.kernel], stride: [1, 1], pads: [s.pad, s.pad, s.pad, s.pad], padding: s.padding ?? 'zero',
    pool: [1, 1], poolStride: [1, 1], poolPads: [0, 0], poolMode: 'max',
    weights: randomGroups(next, s.outC * s.kernel * s.kernel, s.inC), threshold, flip,
  });
  const x = randomGroups(next, s.size * s.size, s.inC);
  return { layer, x, out: conv2dB1(layer, x), macs: out * out * s.outC * s.kernel * s.kernel * s.inC };
}

/** Writes the kernel sources for `variant` and the program for `c` into dir; returns the C files. */
export function writeConvProgram(dir: string, c: ConvCase, variant: string, targetName: string): string[] {
  mkdirSync(dir, { recursive: true });
  const origin: Provenance = { model: `conv kernel bench (${variant})`, source: 'bnnc bench', hash: '-' };
  const runtime = ['bnn_kernels.h', ...popcountHeaders(variant), 'bnn_conv2d_b1.c', 'bnn_conv2d_b1_armv7em.h', 'bnn_dense_b1_pop.c'];
  const rows = conv2dB1RowsFile([c.layer]).template!;
  const files: Record<string, string> = {
    ...Object.fromEntries(runtime.map((name) => [name, runtimeFile(name, origin)])),
    'bnn_conv2d_b1_rows.h': render(rows.name, 'bnn_conv2d_b1_rows.h', origin, rows.context),
    'bnn_kernel_config.h': render('c/kernels/bnn_kernel_config.h', 'bnn_kernel_config.h', origin, { ...kernelConfig(variant), target: targetName }),
    'conv_bench.c': render('c/bench/conv_bench.c', 'conv_bench.c', origin, {
      xLength: c.x.length, x: hexWords(c.x),
      wLength: tapBitWeights(c.layer).length, w: hexWords(tapBitWeights(c.layer)),
      params: convParamsInitializer(c.layer),
      outC: c.layer.outShape[2], thresh: int32s(c.layer.threshold),
      flipLength: wordsFor(c.layer.outShape[2]), flip: hexWords(packBits(c.layer.flip)),
      outLength: c.out.length, out: hexWords(c.out),
      scratchWords: conv2dB1Op.scratchBytes(c.layer) / 4,
    }),
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return Object.keys(files).filter((f) => f.endsWith('.c')).map((f) => join(dir, f));
}

const CONV_LINE = /^conv (\d+) ([01])$/m;

/** Instructions and exactness from the program's output; exact only if it says so and exited with 0. */
export function parseConvOutput(stdout: string, exitCode: number): { instructions: number; exact: boolean } {
  const m = CONV_LINE.exec(stdout);
  return { instructions: m ? Number(m[1]) : NaN, exact: exitCode === 0 && m !== null && m[2] === '1' };
}

/** Builds and runs the program for (target, variant) (QEMU -icount, or natively for the host). */
export async function runConvProgram(target: Target, variant: string, c: ConvCase, dir: string, cflags: string[] = []): Promise<{ instructions: number; exact: boolean; stdout: string }> {
  const sources = writeConvProgram(join(dir, 'src'), c, variant, target.name);
  const build = await crossBuild(target, { sources, includeDirs: [join(dir, 'src')], cflags, ldflags: [], outDir: join(dir, 'build'), name: 'conv_bench' });
  const run = await runOnTarget(target, build.elf, { mode: 'icount', timeoutMs: 60_000 });
  return { ...parseConvOutput(run.stdout, run.exitCode), stdout: run.stdout };
}

export interface ConvBenchResult {
  target: string;
  machine: string;
  kernel: string;
  /** Instructions of one bnn_conv2d_b1 call beyond an empty call. */
  instructions: number;
  /** instructions / binary MACs. */
  perMac: number;
  /** Every output word equals the emulator's. */
  bitExact: boolean;
}

export interface BenchConvOptions {
  targets?: string[];
  variants?: string[];
  seed?: number;
  /** Build directory (default bench/.cache/conv). */
  workDir?: string;
  onResult?: (r: ConvBenchResult) => void;
}

/** conv3x3 on each target with a QEMU machine, for each of its kernel variants (as the dense benchmark). */
export async function benchConv(opts: BenchConvOptions = {}): Promise<ConvBenchResult[]> {
  const c = makeConvCase(rng32(opts.seed ?? 1));
  const workDir = claimWorkDir(opts.workDir ?? join(PROJECT_ROOT, 'bench', '.cache', 'conv'), { option: 'workDir' });
  const results: ConvBenchResult[] = [];
  for (const target of listTargets().filter((t) => t.qemu && (!opts.targets || opts.targets.includes(t.name)))) {
    if (!toolchainStatus(target).available) continue;
    for (const variant of benchVariants(target).filter((v) => !opts.variants || opts.variants.includes(v))) {
      const run = await runConvProgram(target, variant, c, join(workDir, target.name, variant));
      const r: ConvBenchResult = {
        target: target.name, machine: target.qemu!.machine, kernel: variant,
        instructions: run.instructions, perMac: Math.round((run.instructions / c.macs) * 1000) / 1000, bitExact: run.exact,
      };
      opts.onResult?.(r);
      results.push(r);
    }
  }
  return results;
}

/** Markdown table: one row per target, one column per variant (instructions per binary MAC). */
export function formatConvMarkdown(results: ConvBenchResult[]): string {
  const variants = [...new Set(results.map((r) => r.kernel))];
  const lines = [`| target (QEMU machine) | ${variants.join(' | ')} |`, `|---|${variants.map(() => '---:').join('|')}|`];
  for (const t of [...new Set(results.map((r) => r.target))]) {
    const row = results.filter((r) => r.target === t);
    const cells = variants.map((v) => {
      const r = row.find((x) => x.kernel === v);
      return r ? `${r.perMac.toFixed(3)}${r.bitExact ? '' : ' (NOT EXACT)'}` : '-';
    });
    lines.push(`| ${t} (${row[0].machine}) | ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
