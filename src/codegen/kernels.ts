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
