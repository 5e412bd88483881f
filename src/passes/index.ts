/** The pass pipeline, in order. `bnnc passes` lists it; `--dump-after NAME` prints the model after a pass. */
import type { LoweredModel, Model } from '../ir/types.ts';
import { checkBinaryWeights } from './checkBinaryWeights.ts';
import { checkKernelLimits } from './checkKernelLimits.ts';
import { dropClipBeforeSign } from './dropClipBeforeSign.ts';
import { foldInputBinarization } from './foldInputBinarization.ts';
import { foldScores } from './foldScores.ts';
import { foldThresholds } from './foldThresholds.ts';
import { mergeAffineChains } from './mergeAffineChains.ts';
import type { Pass } from './pass.ts';
import { planMemory } from './planMemory.ts';
import { BnncError } from '../errors.ts';

export const PASSES: readonly Pass[] = [
  dropClipBeforeSign,
  mergeAffineChains,
  checkBinaryWeights,
  foldInputBinarization,
  foldThresholds,
  foldScores,
  checkKernelLimits,
  planMemory,
];

export interface PipelineOptions {
  /** Called with the model after the named pass (for --dump-after). */
  dumpAfter?: { pass: string; dump: (model: Model) => void };
}

export function runPasses(model: Model, options: PipelineOptions = {}): LoweredModel {
  const dump = options.dumpAfter;
  if (dump && !PASSES.some((p) => p.name === dump.pass)) {
    throw new BnncError(`unknown pass "${dump.pass}"`, { expected: `one of ${PASSES.map((p) => p.name).join(', ')}` });
  }
  let current = model;
  for (const pass of PASSES) {
    current = pass.run(current);
    if (dump?.pass === pass.name) dump.dump(current);
  }
  return current as LoweredModel;
}
