/**
 * Does the model fit the target before any C is compiled? The same check for
 * `bnnc build` and `bnnc flash`: model constants against the flash budget, the
 * activation arena against the RAM budget.
 */
import { constantArrays } from '../codegen/generate.ts';
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

/**
 * Throws when all constants together exceed what the kernels' loads reach. On
 * AVR, pgm_read_* takes a 16-bit address: PROGMEM data past the first 64 KB of
 * flash would be read from the wrong place, silently (the target reserves 1 KB
 * of that window for the vector table and the Arduino core's own tables).
 */
function checkConstantTotal(target: Target, bytes: number, file: string): void {
  const limit = target.maxConstantBytes;
  if (limit === undefined || bytes <= limit) return;
  throw new BnncError(`the model's constants (${bytes} bytes with the self-test vectors) exceed the ${limit} bytes ${target.name}'s kernels can read`, {
    file,
    expected: `at most ${limit} bytes of constants (16-bit program-memory addresses: the first 64 KB of flash)`,
    hint: 'use a smaller model, or a target with a 32-bit core',
  });
}

/**
 * Throws when one constant array is larger than the target's compiler accepts
 * (avr-gcc: "size of array is too large" above 32,767 bytes, since size_t is
 * 16 bits), naming the array, its layer and what to do.
 */
export function checkArraySizes(target: Target, model: LoweredModel, vectorCount: number, file: string): void {
  const arrays = constantArrays(model, vectorCount);
  checkConstantTotal(target, arrays.reduce((s, a) => s + a.bytes, 0), file);
  const limit = target.maxArrayBytes;
  if (limit === undefined) return;
  const big = arrays.filter((a) => a.bytes > limit).sort((a, b) => b.bytes - a.bytes);
  if (big.length === 0) return;
  const list = big.map((a) => `${a.name} (${a.bytes} bytes${a.layer ? `, layer "${a.layer}"` : ', self-test'})`).join(', ');
  throw new BnncError(`${big.length} constant array(s) exceed the ${limit}-byte limit of one object on ${target.name}: ${list}`, {
    file,
    expected: `every weight, threshold and self-test array at most ${limit} bytes (${target.compiler.cc} rejects larger ones)`,
    hint: big.some((a) => a.layer)
      ? 'use narrower layers (a weight array is outputs x ceil(inputs / 32) x 4 bytes) or a target with a 32-bit compiler'
      : 'embed fewer self-test vectors (a smaller --data set)',
  });
}
