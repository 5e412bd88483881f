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
  const allowed = target.kernels.filter((k) => k in KERNEL_VARIANTS);
  if (override !== undefined) {
    if (!allowed.includes(override)) {
      throw new BnncError(`kernel variant "${override}" is not available for target ${target.name}`, {
        where: '--kernel', expected: `one of ${allowed.join(', ')}`,
      });
    }
    return override;
  }
  return allowed[0] ?? 'portable';
}
