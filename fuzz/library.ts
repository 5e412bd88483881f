/**
 * The library entry points on one mutant, in a worker thread (fuzz/worker.mjs):
 * a model goes through loadModel -> runPasses -> emulate -> generateC, a data
 * set through loadDataset as verify calls it. Whatever is accepted is checked
 * against invariants a valid result always has; a violation means bnnc
 * accepted something it should not have.
 */
import { generateC } from '../src/codegen/generate.ts';
import { modelPrefix } from '../src/codegen/sanitize.ts';
import { loadDataset } from '../src/data/index.ts';
import { emulate } from '../src/emulator/index.ts';
import { BnncError } from '../src/errors.ts';
import { loadModel } from '../src/importers/index.ts';
import { C_CONV_SIZE_MAX, C_CONV_WINDOW_MAX } from '../src/importers/limits.ts';
import type { LoweredModel } from '../src/ir/types.ts';
import { runPasses } from '../src/passes/index.ts';
import { defaultVectors } from '../src/verify/vectors.ts';

export interface LibraryJob {
  family: 'onnx' | 'bnn.json' | 'data';
  /** The model file, or the data path (file or IDX folder). */
  path: string;
  /** Data jobs: the class count and input size of the model the data is for. */
  paired?: { classes: number; features: number };
}

export type LibraryStatus = 'accepted' | 'rejected' | 'internal' | 'violation';

export interface LibraryResult {
  status: LibraryStatus;
  message: string;
}

/** Why an accepted lowered model could not be a valid compilation, or null. */
function loweredProblem(model: LoweredModel): string | null {
  if (!(model.input.features >= 1) || !(model.classes >= 1)) return `input features ${model.input.features}, classes ${model.classes}`;
  for (const layer of model.layers) {
    if (!('kernel' in layer)) continue;
    const windows = [...layer.kernel, ...layer.stride, ...('pads' in layer ? layer.pads : []), ...('pool' in layer ? layer.pool : [])];
    const sizes = [...layer.inShape, ...layer.outShape];
    if (windows.some((v) => !Number.isInteger(v) || v < 0 || v > C_CONV_WINDOW_MAX) || sizes.some((v) => !Number.isInteger(v) || v < 1 || v > C_CONV_SIZE_MAX)) {
      return `layer "${layer.name}" has geometry beyond the C parameter fields (kernel ${layer.kernel}, stride ${layer.stride}, shapes ${sizes})`;
    }
  }
  return null;
}

/** Literals JavaScript would print for values C cannot hold. */
const NON_C_LITERAL = /\b(NaN|Infinity|undefined|null)\b/;

function runModel(path: string): LibraryResult {
  const model = loadModel(path);
  const lowered = runPasses(model);
  const problem = loweredProblem(lowered);
  if (problem) return { status: 'violation', message: problem };
  const vectors = defaultVectors(lowered, 2);
  for (const x of vectors) {
    const { prediction } = emulate(lowered, x);
    if (!(Number.isInteger(prediction) && prediction >= 0 && prediction < lowered.classes)) {
      return { status: 'violation', message: `the emulator predicts ${prediction} for a model of ${lowered.classes} classes` };
    }
  }
  for (const file of generateC(lowered, { name: modelPrefix(model.name).prefix, vectors })) {
    const body = file.content.split('\n').filter((line) => !/^\s*(\*|\/\*|\/\/)/.test(line)).join('\n');
    const literal = NON_C_LITERAL.exec(body);
    if (literal) return { status: 'violation', message: `${file.name} contains "${literal[0]}"` };
  }
  return { status: 'accepted', message: `${lowered.layers.length} lowered layers, ${lowered.classes} classes` };
}

function runData(path: string, paired: { classes: number; features: number }): LibraryResult {
  const data = loadDataset(path, { classes: paired.classes });
  // verify refuses a data set of another input size the same way.
  if (data.features !== paired.features) return { status: 'rejected', message: `samples have ${data.features} values, the model takes ${paired.features}` };
  if (!(data.samples >= 1) || data.inputs.length !== data.samples * data.features) return { status: 'violation', message: `${data.samples} samples, ${data.inputs.length} values` };
  const bad = data.inputs.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) return { status: 'violation', message: `input value ${bad} is ${data.inputs[bad]}` };
  const label = data.labels ? data.labels.findIndex((l) => !(Number.isInteger(l) && l >= 0 && l < paired.classes)) : -1;
  if (label >= 0) return { status: 'violation', message: `label ${data.labels![label]} of sample ${label} is outside 0..${paired.classes - 1}` };
  return { status: 'accepted', message: `${data.samples} samples of ${data.features} values` };
}

export function runLibrary(job: LibraryJob): LibraryResult {
  try {
    return job.family === 'data' ? runData(job.path, job.paired!) : runModel(job.path);
  } catch (e) {
    if (e instanceof BnncError) {
      const internal = /internal error|bnnc bug/i.test(e.message);
      return { status: internal ? 'internal' : 'rejected', message: e.message.split('\n')[0] };
    }
    const error = e as Error;
    return { status: 'internal', message: `${error.name}: ${error.message}\n${(error.stack ?? '').split('\n').slice(1, 6).join('\n')}` };
  }
}
