/**
 * Kernel variant bookkeeping: the table in src/codegen/kernels.ts, the
 * targets' preference lists and the runtime's popcount headers agree, and a variant compiled
 * for a core that cannot run it stops with its #error rather than building.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDenseCase, rng32, writeDenseProgram } from '../../src/bench/denseProgram.ts';
import { generateC } from '../../src/codegen/generate.ts';
import { KERNEL_VARIANTS, popcountHeaders, selectKernel } from '../../src/codegen/kernels.ts';
import { RUNTIME_DIR } from '../../src/codegen/templates.ts';
import { BnncError } from '../../src/errors.ts';
import { loadModel } from '../../src/importers/index.ts';
import { runPasses } from '../../src/passes/index.ts';
import { listTargets, loadTarget } from '../../src/targets/load.ts';
import { crossCompile } from '../../src/toolchain/cross.ts';
import type { Target } from '../../src/targets/types.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';
import { PROJECT_ROOT } from '../../src/version.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bnnc-variants-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const runtime = (name: string) => readFileSync(join(RUNTIME_DIR, name), 'utf8');

describe('kernel variant table', () => {
  it('KERNEL_VARIANTS is the one list: the dispatch header includes one engine header per variant, and runtime/ has exactly those', () => {
    const dispatch = runtime('bnn_popcount.h');
    const routed = [...dispatch.matchAll(/^#(?:el)?if defined\(BNN_KERNEL_([A-Z0-9]+)\)\n#include "bnn_popcount_([a-z0-9]+)\.h"$/gm)]
      .map(([, macro, header]) => { expect(header.toUpperCase()).toBe(macro); return header; });
    const fallback = /^#else\n#include "bnn_popcount_portable\.h"\n#endif$/m.test(dispatch);
    expect(fallback, 'portable is the #else of the dispatch').toBe(true);
    expect([...routed, 'portable'].sort()).toEqual(Object.keys(KERNEL_VARIANTS).sort());
    const headers = readdirSync(RUNTIME_DIR).filter((f) => /^bnn_popcount_.*\.h$/.test(f)).map((f) => f.slice('bnn_popcount_'.length, -2));
    expect(headers.sort()).toEqual(Object.keys(KERNEL_VARIANTS).sort());
    for (const variant of Object.keys(KERNEL_VARIANTS)) {
      for (const header of popcountHeaders(variant)) expect(existsSync(join(RUNTIME_DIR, header)), header).toBe(true);
    }
  });

  it('the dense kernels route every engine variant (BNN_POP_ROWS) and fall back to the portable loop', () => {
    for (const variant of Object.keys(KERNEL_VARIANTS).filter((v) => v !== 'portable' && v !== 'builtin')) {
      expect(runtime(`bnn_popcount_${variant}.h`), variant).toMatch(/^#define BNN_POP_ROWS \d+$/m);
    }
    for (const file of ['bnn_dense_b1.c', 'bnn_dense_b1_pop.c']) {
      const text = runtime(file);
      expect(text).toContain('#if defined(BNN_POP_ROWS)');
      expect(text).toContain('#else /* portable');
    }
  });

  it('one popcount table: the 256 byte counts are written once, as BNN_POP8_TABLE', () => {
    const sources = readdirSync(RUNTIME_DIR).map(runtime).join('\n');
    expect(sources.match(/0, 1, 1, 2, 1, 2, 2, 3/g)).toBeNull();
    expect(sources.match(/^#define BNN_POP8_TABLE /gm)).toHaveLength(1);
  });

  it('no runtime file is longer than 600 lines, and none is a template', () => {
    for (const f of readdirSync(RUNTIME_DIR)) {
      expect(runtime(f).split('\n').length, f).toBeLessThanOrEqual(600);
      expect(runtime(f), f).not.toContain('{{');
    }
  });

  it('targets list their preferences by instruction set, ending in portable, never the builtin baseline', () => {
    const expected = (t: ReturnType<typeof loadTarget>): string[] => {
      if (t.features.includes('mve')) return ['mve', 'armv7em', 'portable'];
      if ((t.arch === 'armv7e-m' || t.arch === 'armv8-m.main') && t.features.includes('dsp')) return ['armv7em', 'portable'];
      if (t.arch === 'armv6-m') return ['armv6m', 'portable'];
      if (t.arch === 'rv32imc_zbb') return ['zbb', 'rv32', 'portable'];
      if (t.arch === 'rv32imc') return ['rv32', 'portable'];
      return ['portable'];
    };
    for (const target of listTargets()) {
      expect(target.kernels, target.name).not.toContain('builtin');
      for (const k of target.kernels) expect(Object.keys(KERNEL_VARIANTS), `${target.name}: ${k}`).toContain(k);
      expect(target.kernels, target.name).toEqual(expected(target));
    }
  });

  it('selectKernel takes the first preference; builtin cannot be selected for a target', () => {
    expect(selectKernel(loadTarget('cortex-m55'))).toBe('mve');
    expect(selectKernel(loadTarget('rp2350-riscv'), 'rv32')).toBe('rv32');
    expect(() => selectKernel(loadTarget('stm32f4'), 'builtin')).toThrow(BnncError);
  });
});

describe('a variant on a core that cannot run it stops at its #error', () => {
  const cases = [makeDenseCase(rng32(1), 64, 2)];
  const wrong: Array<[string, string, RegExp]> = [
    ['esp32c3', 'zbb', /variant zbb needs a RISC-V core with Zbb/],
    ['stm32f4', 'mve', /variant mve needs a Helium/],
    ['cortex-m0plus', 'armv7em', /variant armv7em needs an ARMv7E-M/],
    ['stm32f4', 'rv32', /variant rv32 needs a 32-bit RISC-V core/],
    ['esp32c3', 'armv6m', /variant armv6m needs a Cortex-M core/],
  ];
  for (const [name, variant, message] of wrong) {
    const target = loadTarget(name);
    const skip = toolchainSkipReason(target, { run: false });
    it.skipIf(skip !== null)(`${variant} on ${name}${skip ? ` (${skip})` : ''}`, async () => {
      const dir = join(scratch, `${name}-${variant}`);
      const sources = writeDenseProgram(join(dir, 'src'), cases, variant, name).filter((f) => f.endsWith('bnn_dense_b1.c'));
      const error = await crossCompile(target, { sources, includeDirs: [join(dir, 'src')], outDir: join(dir, 'build') }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(BnncError);
      expect((error as Error).message).toMatch(message);
    });
  }
});

/** A RISC-V target compiled with another -march (an RV32E or multiply-less core; no such target ships). */
function withMarch(name: string, march: string, abi: string): Target {
  const t = loadTarget(name);
  const flags = (fs: string[]) => fs.map((f) => (f.startsWith('-march=') ? `-march=${march}` : f.startsWith('-mabi=') ? `-mabi=${abi}` : f));
  return { ...t, name: `${name}-${march}`, compiler: { ...t.compiler, cflags: flags(t.compiler.cflags), linkFlags: flags(t.compiler.linkFlags) } };
}

describe('RV32E cores and cores without multiply (issue 9 item 10)', () => {
  const rv32ec = withMarch('rp2350-riscv', 'rv32ec_zbb', 'ilp32e');
  const rv32ic = withMarch('esp32c3', 'rv32ic', 'ilp32');

  it('bnnc refuses the zbb and rv32 variants for such a -march, naming the reason; portable is fine', () => {
    expect(() => selectKernel(rv32ec)).toThrow(/kernel variant "zbb" cannot run on target rp2350-riscv-rv32ec_zbb: -march=rv32ec_zbb is an RV32E core/);
    expect(() => selectKernel(rv32ec, 'rv32')).toThrow(/RV32E core \(16 registers/);
    expect(() => selectKernel(rv32ic)).toThrow(/-march=rv32ic has no multiply instruction/);
    expect(() => selectKernel(rv32ic)).toThrow(/hint: --kernel portable/);
    expect(selectKernel(rv32ec, 'portable')).toBe('portable');
    expect(selectKernel(withMarch('esp32c3', 'rv32ic_zmmul', 'ilp32'))).toBe('rv32');
  });

  const cases = [makeDenseCase(rng32(2), 64, 2)];
  const wrong: Array<[Target, string, RegExp]> = [
    [rv32ec, 'zbb', /variant zbb needs the 32 registers of RV32I; this is an RV32E core/],
    [rv32ec, 'rv32', /variant rv32 needs the 32 registers of RV32I; this is an RV32E core/],
    [rv32ic, 'rv32', /variant rv32 needs the multiply instruction/],
  ];
  for (const [target, variant, message] of wrong) {
    const skip = toolchainSkipReason(target, { run: false });
    it.skipIf(skip !== null)(`the generated C stops at the #error: ${variant} with -march=${target.name.split('-').pop()}${skip ? ` (${skip})` : ''}`, async () => {
      const dir = join(scratch, `${target.name}-${variant}`);
      const sources = writeDenseProgram(join(dir, 'src'), cases, variant, target.name).filter((f) => f.endsWith('bnn_dense_b1.c'));
      const error = await crossCompile(target, { sources, includeDirs: [join(dir, 'src')], outDir: join(dir, 'build') }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(BnncError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toMatch(/impossible constraints|unrecognized opcode/);
    });
  }
});

/*
 * bnn_popcount.h (and the variant's bnn_popcount_<variant>.h) is included by every binary kernel (conv, integer-input
 * dense, ...), so each variant must leave their builds warning-free too:
 * the kernel sources generated for the bundled examples, per target and
 * variant, compiled with -Werror, and for the assembly variants also at -O0
 * (where r7 / s0 are frame pointers the assembly must not clobber).
 */
describe('the generated C of the examples compiles warning-free with every variant', () => {
  const models = ['mnist-mlp', 'mnist-cnn', 'wearable-motion']
    .map((name) => join(PROJECT_ROOT, 'examples', name, 'model.onnx'))
    .filter((path) => existsSync(path))
    .map((path) => runPasses(loadModel(path)));
  for (const target of listTargets().filter((t) => t.arch !== 'host')) {
    const skip = toolchainSkipReason(target, { run: false });
    for (const variant of [...target.kernels, 'builtin']) {
      it.skipIf(skip !== null)(`${target.name} ${variant}${skip ? ` (${skip})` : ''}`, async () => {
        for (const [m, lowered] of models.entries()) {
          const dir = join(scratch, 'examples', target.name, variant, String(m));
          mkdirSync(dir, { recursive: true });
          const vectors = [Array.from({ length: lowered.input.features }, () => 0)];
          const files = generateC(lowered, { vectors, kernelVariant: variant, target: target.name });
          for (const f of files) writeFileSync(join(dir, f.name), f.content);
          const sources = files.filter((f) => f.name.startsWith('bnn_') && f.name.endsWith('.c')).map((f) => join(dir, f.name));
          await crossCompile(target, { sources, includeDirs: [dir], outDir: join(dir, 'build'), cflags: ['-Werror'] });
          if (variant !== 'portable' && variant !== 'builtin') {
            await crossCompile(target, { sources, includeDirs: [dir], outDir: join(dir, 'build-O0'), cflags: ['-Werror', '-O0'] });
          }
        }
      });
    }
  }
});
