/**
 * Kernel variants. Every kernel file holds the portable C reference and the
 * per-ISA variants behind BNN_KERNEL_<NAME> macros (CMSIS-NN style); the
 * target's `kernels` list (targets/*.json) orders its preferences, and
 * `--kernel` overrides it with any variant the target allows.
 */
import { BnncError } from '../errors.ts';
import type { Target } from '../targets/types.ts';

/** Variants the kernel templates implement, with what each needs. */
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
