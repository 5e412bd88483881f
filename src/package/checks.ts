/**
 * Does the model fit the target before any C is compiled? The same check for
 * `bnnc build` and `bnnc flash`: model constants against the flash budget, the
 * activation arena against the RAM budget.
 */
import { BnncError } from '../errors.ts';
import { modelFootprint } from '../inspect/summary.ts';
import type { LoweredModel } from '../ir/types.ts';
import { budgetProblems, type Footprint } from '../targets/budget.ts';
import type { Target } from '../targets/types.ts';

/**
 * Flash and RAM the model needs on the target: its constants (in flash on every
 * core, PROGMEM on AVR) and its activation arena.
 */
export function targetFootprint(model: LoweredModel): Footprint {
  return modelFootprint(model);
}

/** Throws when the model's constants or arena exceed the target's budget. */
export function checkModelFits(target: Target, model: LoweredModel, file: string): Footprint {
  const footprint = targetFootprint(model);
  const problems = budgetProblems(target, footprint);
  if (problems.length > 0) {
    throw new BnncError(`the model does not fit ${target.name}: ${problems.join('; ')}`, {
      file,
      expected: `at most ${target.budget!.flashBytes} bytes of flash and ${target.budget!.ramBytes} bytes of RAM`,
      hint: 'use a smaller model or a target with more memory (bnnc targets)',
    });
  }
  return footprint;
}
