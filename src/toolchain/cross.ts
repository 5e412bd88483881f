/**
 * Cross-compiling C for a target: the caller's sources plus bnnc's
 * bare-metal harness (harness/), linked with a linker script whose MEMORY
 * block comes from the target JSON (harness/README.md). The CPU flags come
 * from the target's compiler block; the flags below are the same for every target.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BnncError } from '../errors.ts';
import type { HarnessKind, Target } from '../targets/types.ts';
import { memoryUse, memoryUseOfObjects, type MemoryUse } from './elf.ts';
import { aptPackagesFor, findExecutable, installHint, runProgram } from './process.ts';

/** The repository's harness/ directory. */
export const HARNESS_DIR = fileURLToPath(new URL('../../harness/', import.meta.url));

/** Flags for every bare-metal compile (harness/README.md). Optimisation first, so callers can override it. */
const BARE_METAL_CFLAGS = ['-O2', '-g', '-ffreestanding', '-ffunction-sections', '-fdata-sections', '-Wall', '-Wextra'];
const HOST_CFLAGS = ['-O2', '-g', '-Wall', '-Wextra'];
/** Start-up code and mini.c: their copy loops must not become calls to memcpy/memset. */
const NO_LIBCALL_LOOPS = ['-fno-tree-loop-distribute-patterns'];

const DEFAULT_TIMEOUT_MS = 120_000;

export interface ToolchainStatus {
  available: boolean;
  /** Executables not found on PATH. */
  missing: string[];
  /** Debian packages that provide the missing executables (empty when available). */
  aptPackages: string[];
}

/**
 * Whether the compiler (and QEMU, if the target has one and `run` is not
 * false) are installed.
 */
export function toolchainStatus(target: Target, opts: { run?: boolean } = {}): ToolchainStatus {
  const needed: Array<[string, string[]]> = [[target.compiler.cc, aptPackagesFor(target.compiler.cc, target.compiler.aptPackages)]];
  if (target.qemu && opts.run !== false) needed.push([target.qemu.system, aptPackagesFor(target.qemu.system)]);
  const absent = needed.filter(([exe]) => findExecutable(exe) === null);
  return {
    available: absent.length === 0,
    missing: absent.map(([exe]) => exe),
    aptPackages: [...new Set(absent.flatMap(([, pkgs]) => pkgs))],
  };
}

export interface BuildOptions {
  /** C (or assembler .S) files of the program; one of them defines int main(void). */
  sources: string[];
  /** Extra -I directories (harness/common, which holds bnnc_hal.h, is always added). */
  includeDirs: string[];
  /** -DNAME=VALUE for the caller's sources. The value is passed verbatim: quote strings yourself ("\"abc\""). */
  defines?: Record<string, string>;
  /** Extra compile flags for the caller's sources, after bnnc's own (so -Os overrides -O2). */
  cflags?: string[];
  /** Extra link flags. */
  ldflags?: string[];
  /** Directory for objects, the generated linker script, the map file and the ELF. */
  outDir: string;
  /** File name of the program without extension (default "program"). */
  name?: string;
  /** Limit per compiler/linker run (default 120 s). */
  timeoutMs?: number;
}

export interface BuildResult extends MemoryUse {
  /** Absolute path of the linked program. */
  elf: string;
  /** Linker map (null for the host). */
  map: string | null;
}

export interface CompileResult extends MemoryUse {
  objects: string[];
}

/** One translation unit: source file and its flags. */
interface Unit {
  src: string;
  args: string[];
}

/**
 * Compile the sources together with the target's harness and link a program
 * that QEMU (or, for the host target, the OS) can run.
 * flashBytes/ramBytes: see src/toolchain/elf.ts (harness included, stack excluded).
 */
export async function crossBuild(target: Target, opts: BuildOptions): Promise<BuildResult> {
  requireCompiler(target);
  if (target.arch === 'host') return hostBuild(target, opts);
  if (!target.qemu) {
    throw new BnncError(`target '${target.name}' has no harness to link against (no QEMU machine)`, {
      file: target.file, where: 'qemu',
      hint: 'use crossCompile() for a compile-only check of this target',
    });
  }
  const outDir = prepareOutDir(opts.outDir);
  const kind = target.qemu.harness;
  const units = [...harnessUnits(target, kind), ...userUnits(target, opts, BARE_METAL_CFLAGS)];
  const objects = await compileAll(target, units, outDir, opts.timeoutMs);
  const name = opts.name ?? 'program';
  const script = join(outDir, 'memory.ld');
  writeFileSync(script, memoryScript(target));
  const elf = join(outDir, `${name}.elf`);
  const map = join(outDir, `${name}.map`);
  await link(target, [
    ...target.compiler.linkFlags, '-nostdlib', '-nostartfiles', '-Wl,--gc-sections', `-Wl,-Map=${map}`,
    `-L${join(HARNESS_DIR, kind)}`, '-T', script, ...(opts.ldflags ?? []), ...objects, '-lgcc', '-o', elf,
  ], opts.timeoutMs);
  return { elf, map, ...memoryUse(elf) };
}

/**
 * Compile the sources without linking, for targets bnnc cannot run (e.g. the
 * Xtensa ESP32 compile check). Sizes are summed over the objects, before
 * --gc-sections, so they are an upper bound.
 */
export async function crossCompile(target: Target, opts: BuildOptions): Promise<CompileResult> {
  requireCompiler(target);
  const outDir = prepareOutDir(opts.outDir);
  const base = target.arch === 'host' ? HOST_CFLAGS : BARE_METAL_CFLAGS;
  const objects = await compileAll(target, userUnits(target, opts, base), outDir, opts.timeoutMs);
  return { objects, ...memoryUseOfObjects(objects) };
}

/**
 * The linker script bnnc writes next to the objects: MEMORY from the
 * target's qemu.memory, then the harness's section layout.
 */
export function memoryScript(target: Target): string {
  if (!target.qemu) throw new Error(`bnnc internal error: memoryScript(${target.name}) without qemu`);
  const { flash, ram } = target.qemu.memory;
  const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
  return [
    `/* Generated by bnnc from ${basename(target.file)} (qemu.memory). Do not edit. */`,
    'MEMORY {',
    `    FLASH (rx)  : ORIGIN = ${hex(flash.origin)}, LENGTH = ${hex(flash.length)}`,
    `    RAM   (rwx) : ORIGIN = ${hex(ram.origin)}, LENGTH = ${hex(ram.length)}`,
    '}',
    `INCLUDE ${SECTIONS_SCRIPT[target.qemu.harness]}`,
    '',
  ].join('\n');
}

const SECTIONS_SCRIPT: Record<HarnessKind, string> = {
  arm: 'cm_sections.ld',
  riscv: 'rv_sections.ld',
  xtensa: 'xt_sections.ld',
};

/** Harness files per kind; the common ones are shared by all bare-metal targets. */
const HARNESS_FILES: Record<HarnessKind, Array<[string, string[]]>> = {
  arm: [['arm/startup_cm.c', NO_LIBCALL_LOOPS], ['arm/hal_arm.c', []]],
  riscv: [['riscv/start.S', []], ['riscv/hal_riscv.c', []]],
  xtensa: [['xtensa/start.S', []], ['xtensa/hal_xtensa.c', []], ['xtensa/libgcc_extra.c', []]],
};
const COMMON_FILES: Array<[string, string[]]> = [['common/mini.c', NO_LIBCALL_LOOPS], ['common/hal_print.c', []]];

/** -D flags that tell the harness about the target (clock and shift for the counter). */
function harnessDefines(target: Target): string[] {
  const defs = [`-DBNNC_TARGET_NAME="${target.name}"`];
  if (target.qemu) {
    defs.push(`-DBNNC_CPU_HZ=${target.qemu.cpuHz}u`, `-DBNNC_ICOUNT_SHIFT=${target.qemu.icountShift}`);
  }
  return defs;
}

function harnessUnits(target: Target, kind: HarnessKind): Unit[] {
  const common = [...target.compiler.cflags, ...BARE_METAL_CFLAGS, `-I${join(HARNESS_DIR, 'common')}`, ...harnessDefines(target)];
  return [...HARNESS_FILES[kind], ...COMMON_FILES].map(([file, extra]) => ({
    src: join(HARNESS_DIR, file),
    args: [...common, ...extra],
  }));
}

function userUnits(target: Target, opts: BuildOptions, base: string[]): Unit[] {
  const args = [
    ...target.compiler.cflags,
    ...base,
    ...opts.includeDirs.map((d) => `-I${resolve(d)}`),
    `-I${join(HARNESS_DIR, 'common')}`,
    ...harnessDefines(target),
    ...Object.entries(opts.defines ?? {}).map(([k, v]) => `-D${k}=${v}`),
    ...(opts.cflags ?? []),
  ];
  return opts.sources.map((src) => ({ src: resolve(src), args }));
}

/** The host build: the same program against harness/host (stdio, exit). */
async function hostBuild(target: Target, opts: BuildOptions): Promise<BuildResult> {
  const outDir = prepareOutDir(opts.outDir);
  const harness = ['host/hal_host.c', 'common/hal_print.c'].map((f) => ({
    src: join(HARNESS_DIR, f),
    args: [...target.compiler.cflags, ...HOST_CFLAGS, `-I${join(HARNESS_DIR, 'common')}`, ...harnessDefines(target)],
  }));
  const objects = await compileAll(target, [...harness, ...userUnits(target, opts, HOST_CFLAGS)], outDir, opts.timeoutMs);
  const elf = join(outDir, opts.name ?? 'program');
  await link(target, [...target.compiler.linkFlags, ...(opts.ldflags ?? []), ...objects, '-o', elf], opts.timeoutMs);
  return { elf, map: null, ...memoryUse(elf) };
}

function requireCompiler(target: Target): void {
  const cc = target.compiler.cc;
  if (findExecutable(cc) !== null) return;
  throw new BnncError(`compiler '${cc}' for target '${target.name}' was not found on PATH`, {
    file: target.file,
    where: 'compiler.cc',
    expected: 'an installed executable',
    hint: installHint(cc, target.compiler.aptPackages),
  });
}

function prepareOutDir(outDir: string): string {
  const dir = resolve(outDir);
  mkdirSync(join(dir, 'obj'), { recursive: true });
  return dir;
}

/** Compile every unit in parallel; object names carry an index so equal base names do not clash. */
async function compileAll(target: Target, units: Unit[], outDir: string, timeoutMs?: number): Promise<string[]> {
  return Promise.all(
    units.map(async (u, i) => {
      const obj = join(outDir, 'obj', `${String(i).padStart(2, '0')}_${basename(u.src).replace(/\.[^.]+$/, '')}.o`);
      await compile(target, u, obj, timeoutMs);
      return obj;
    }),
  );
}

async function compile(target: Target, unit: Unit, obj: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const cc = target.compiler.cc;
  const r = await runProgram(cc, [...unit.args, '-c', unit.src, '-o', obj], {
    timeoutMs, aptPackages: target.compiler.aptPackages,
  });
  if (r.exitCode !== 0) {
    throw new BnncError(`compiling for target '${target.name}' failed (${cc} exit ${r.exitCode}):\n${diagnostics(r.stderr, r.stdout)}`, {
      file: unit.src,
      hint: `command: ${r.command}`,
    });
  }
}

async function link(target: Target, args: string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const cc = target.compiler.cc;
  const r = await runProgram(cc, args, { timeoutMs, aptPackages: target.compiler.aptPackages });
  if (r.exitCode === 0) return;
  const text = diagnostics(r.stderr, r.stdout);
  const overflow = /region `?(\w+)'? overflowed|less than 2 KiB of RAM left for the stack/.test(text);
  throw new BnncError(`linking for target '${target.name}' failed (${cc} exit ${r.exitCode}):\n${text}`, {
    file: target.file,
    hint: overflow
      ? `the program does not fit the emulated memory (qemu.memory in ${basename(target.file)}); command: ${r.command}`
      : `command: ${r.command}`,
  });
}

/** Compiler output for an error message, trimmed to a readable length. */
function diagnostics(stderr: string, stdout: string): string {
  const text = `${stderr}${stdout}`.trimEnd();
  const lines = text.split('\n');
  return lines.length > 60 ? [...lines.slice(0, 60), `... (${lines.length - 60} more lines)`].join('\n') : text;
}
