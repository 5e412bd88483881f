/**
 * Does a program fit the real chip? Compares the sizes crossBuild reports
 * (src/toolchain/elf.ts defines them) with the target's budget. The QEMU
 * machine's memory is a separate limit, enforced by the linker.
 */
import type { Target } from './types.ts';

export interface Footprint {
  flashBytes: number;
  ramBytes: number;
}

/** One sentence per exceeded limit; empty when it fits or the target has no budget (host). */
export function budgetProblems(target: Target, use: Footprint): string[] {
  const budget = target.budget;
  if (!budget) return [];
  const problems: string[] = [];
  if (use.flashBytes > budget.flashBytes) {
    problems.push(`needs ${use.flashBytes} bytes of flash, ${target.name} has ${budget.flashBytes}`);
  }
  if (use.ramBytes > budget.ramBytes) {
    problems.push(`needs ${use.ramBytes} bytes of RAM (without stack), ${target.name} has ${budget.ramBytes}`);
  }
  return problems;
}
