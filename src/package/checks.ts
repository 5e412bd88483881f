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
 * RAM the model needs on the target. On AVR (Harvard architecture) `const`
 * data is copied to RAM at start-up unless it is declared PROGMEM and read with
 * pgm_read_*; the generated kernels do not do that yet, so there the constants
 * count against RAM as well as flash.
 */
export function targetFootprint(target: Target, model: LoweredModel): Footprint & { constantsInRam: boolean } {
  const footprint = modelFootprint(model);
  const constantsInRam = target.arch === 'avr';
  return {
    flashBytes: footprint.flashBytes,
    ramBytes: constantsInRam ? footprint.ramBytes + footprint.flashBytes : footprint.ramBytes,
    constantsInRam,
  };
}

/** Throws when the model's constants or arena exceed the target's budget. */
export function checkModelFits(target: Target, model: LoweredModel, file: string): Footprint & { constantsInRam: boolean } {
  const footprint = targetFootprint(target, model);
  const problems = budgetProblems(target, footprint);
  if (problems.length > 0) {
    const avr = footprint.constantsInRam ? ' (on AVR the weights are copied to RAM: the kernels do not read PROGMEM yet)' : '';
    throw new BnncError(`the model does not fit ${target.name}: ${problems.join('; ')}${avr}`, {
      file,
      expected: `at most ${target.budget!.flashBytes} bytes of flash and ${target.budget!.ramBytes} bytes of RAM`,
      hint: 'use a smaller model or a target with more memory (bnnc targets)',
    });
  }
  return footprint;
}
