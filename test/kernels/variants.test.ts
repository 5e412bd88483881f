/**
 * Kernel variant bookkeeping: the table in src/codegen/kernels.ts, the
 * targets' preference lists and the templates agree, and a variant compiled
 * for a core that cannot run it stops with its #error rather than building.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDenseCase, rng32, writeDenseProgram } from '../../src/bench/denseProgram.ts';
import { KERNEL_VARIANTS, selectKernel } from '../../src/codegen/kernels.ts';
import { BnncError } from '../../src/errors.ts';
import { listTargets, loadTarget } from '../../src/targets/load.ts';
import { crossCompile } from '../../src/toolchain/cross.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';
import { PROJECT_ROOT } from '../../src/version.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bnnc-variants-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const template = (name: string) => readFileSync(join(PROJECT_ROOT, 'templates', 'c', 'kernels', `${name}.hbs`), 'utf8');

describe('kernel variant table', () => {
  it('every optimised variant has its code in bnn_popcount.h and is routed by both dense kernels', () => {
    const engine = template('bnn_popcount.h');
    for (const name of Object.keys(KERNEL_VARIANTS).filter((v) => v !== 'portable')) {
      expect(engine, name).toContain(`defined(BNN_KERNEL_${name.toUpperCase()})`);
    }
    for (const file of ['bnn_dense_b1.c', 'bnn_dense_b1_pop.c']) {
      const text = template(file);
      for (const name of ['armv7em', 'armv6m', 'mve', 'zbb', 'rv32']) expect(text, `${file} ${name}`).toContain(`defined(BNN_KERNEL_${name.toUpperCase()})`);
      expect(text).toContain('#else /* portable');
    }
  });

  it('targets list their preferences, ending in portable, never the builtin baseline', () => {
    const expected: Record<string, string[]> = {
      'cortex-m0plus': ['armv6m', 'portable'],
      samd21: ['armv6m', 'portable'],
      stm32f4: ['armv7em', 'portable'],
      netduinoplus2: ['armv7em', 'portable'],
      stm32h7: ['armv7em', 'portable'],
      'cortex-m33': ['armv7em', 'portable'],
      'cortex-m55': ['mve', 'armv7em', 'portable'],
      esp32c3: ['rv32', 'portable'],
      'rp2350-riscv': ['zbb', 'rv32', 'portable'],
    };
    for (const target of listTargets()) {
      expect(target.kernels.at(-1), target.name).toBe('portable');
      expect(target.kernels, target.name).not.toContain('builtin');
      for (const k of target.kernels) expect(Object.keys(KERNEL_VARIANTS), `${target.name}: ${k}`).toContain(k);
      expect(target.kernels, target.name).toEqual(expected[target.name] ?? ['portable']);
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
