/**
 * Kernel variants. The binary kernels (runtime/bnn_dense_b1.c, ...) hold the
 * portable C reference and take the per-ISA row engine of the variant that
 * bnn_kernel_config.h names (BNN_KERNEL_<NAME>) from runtime/bnn_popcount.h,
 * which includes runtime/bnn_popcount_<variant>.h. KERNEL_VARIANTS is the one
 * list of variants (test/kernels/variants.test.ts checks the dispatch header
 * and runtime/ against it); the target's `kernels` list (targets/*.json)
 * orders its preferences, and `--kernel` overrides it with any variant the
 * target allows.
 */
import { BnncError } from '../errors.ts';
import type { Target } from '../targets/types.ts';

/** The kernel variants (runtime/bnn_popcount_<variant>.h each), with what each needs. */
export const KERNEL_VARIANTS: Record<string, string> = {
  portable: 'plain C99, SWAR popcount: any 32-bit core (the reference every variant is tested against)',
  armv7em: 'Cortex-M4/M7/M33/M55 (ARMv7E-M, ARMv8-M Mainline + DSP): Harley-Seal adders in assembly, LDM loads, USAD8 byte sums',
  armv6m: 'Cortex-M0/M0+ (ARMv6-M, Thumb-1): Harley-Seal adders in assembly, byte-table counts',
  mve: 'Cortex-M55/M85 Helium (MVE): 4 rows per pass, byte popcounts by table gather, VADDVA reductions',
  zbb: 'RV32 with Zbb: cpop, 8 rows per pass sharing each input word, in assembly',
  rv32: 'RV32IMC without Zbb: Harley-Seal adders in assembly, 2 rows per pass sharing each input word',
  builtin: '__builtin_popcount in the portable loops (what CBin-NN does): a benchmark baseline only, in no target list',
};

export function kernelConfig(variant: string): { variant: string; macro: string } {
  if (!(variant in KERNEL_VARIANTS)) throw new Error(`bnnc internal error: unknown kernel variant ${variant}`);
  return { variant, macro: variant.toUpperCase() };
}

/**
 * The popcount headers a build with `variant` includes: the dispatch, the
 * scalar popcount every variant uses (but builtin, which has its own), and
 * the variant's engine.
 */
export function popcountHeaders(variant: string): string[] {
  kernelConfig(variant);
  const own = `bnn_popcount_${variant}.h`;
  return variant === 'portable' || variant === 'builtin'
    ? ['bnn_popcount.h', own]
    : ['bnn_popcount.h', 'bnn_popcount_portable.h', own];
}

/** The variant for a target: the override if allowed, else its first implemented preference. */
export function selectKernel(target: Target, override?: string): string {
  const allowed = target.kernels; // every name exists: the target loader checks them
  if (override !== undefined && !allowed.includes(override)) {
    throw new BnncError(`kernel variant "${override}" is not available for target ${target.name}`, {
      where: '--kernel', expected: `one of ${allowed.join(', ')}`,
    });
  }
  const variant = override ?? allowed[0] ?? 'portable';
  const problem = marchProblem(target, variant);
  if (problem) {
    throw new BnncError(`kernel variant "${variant}" cannot run on target ${target.name}: ${problem}`, {
      where: override !== undefined ? '--kernel' : `targets/${target.name}.json`,
      expected: 'a RISC-V core with the 32 registers of RV32I (and M or Zmmul for rv32)',
      hint: '--kernel portable (plain C, any 32-bit core)',
    });
  }
  return variant;
}

/**
 * Why the RISC-V assembly variants cannot be built with the target's -march, or
 * null: both keep more values in registers than RV32E's 16, and rv32 multiplies.
 * (The kernels also stop with an #error for such cores, for builds outside bnnc.)
 */
function marchProblem(target: Target, variant: string): string | null {
  if (variant !== 'zbb' && variant !== 'rv32') return null;
  const march = target.compiler.cflags.find((f) => f.startsWith('-march='))?.slice('-march='.length);
  if (!march?.startsWith('rv32')) return null;
  const [base, ...multi] = march.slice(4).split('_');
  if (base.startsWith('e')) return `-march=${march} is an RV32E core (16 registers; e.g. CH32V003), too few for its assembly`;
  const multiplies = base.startsWith('g') || base.includes('m') || multi.includes('zmmul');
  if (variant === 'rv32' && !multiplies) return `-march=${march} has no multiply instruction (M or Zmmul extension), which the rv32 variant uses`;
  return null;
}
