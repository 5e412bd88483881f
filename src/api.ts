/**
 * The library API: what the `bnnc` command does, as functions a user calls from
 * their own tests and build scripts. The CLI commands are thin wrappers around
 * it, so `verify()` returns exactly the object `bnnc verify --json` prints.
 */
import { join } from 'node:path';
import type { LabelColumn } from './data/csv.ts';
import { loadDataset, type Dataset } from './data/index.ts';
import { emulate } from './emulator/index.ts';
import { selectKernel } from './codegen/kernels.ts';
import { modelPrefix, reservedPrefixNote } from './codegen/sanitize.ts';
import { BnncError } from './errors.ts';
import { summarize, type LayerSummary } from './inspect/summary.ts';
import { loadModel } from './importers/index.ts';
import type { InputDType, InputSpec, LoweredModel, Model } from './ir/types.ts';
import { checkArraySizes, checkModelFits } from './package/checks.ts';
import { generatePackage, parseFormat, type PackageFormat } from './package/index.ts';
import { embeddedVectors } from './package/vectors.ts';
import { PASSES, runPasses } from './passes/index.ts';
import type { ReferenceChoice } from './reference/index.ts';
import { loadTarget } from './targets/load.ts';
import { applyFault, FAULT_VARIABLE, faultFromEnvironment } from './verify/faults.ts';
import { deviceInputs } from './verify/inputs.ts';
import type { Progress } from './verify/progress.ts';
import { verifyOnHost, type VerifyReport } from './verify/verify.ts';
import { checkOutputDir, writeOutputDir } from './files/output.ts';
import { PROJECT_ROOT } from './version.ts';

export interface ModelOptions {
  /** Device input type, overriding what the model declares (uint8, int8 or float32). */
  inputType?: InputDType;
  /** Declared input quantization (Keras, ONNX, .bnn.json): model input = inputScale * (device value - inputZeroPoint); ONNX metadata bnnc.input_scale/bnnc.input_zero_point otherwise. */
  inputScale?: number;
  inputZeroPoint?: number;
  /** Called with the model as it is after this pass (see `PASS_NAMES`); the CLI's --dump-after. */
  dumpAfter?: { pass: string; dump: (model: Model) => void };
  /** Receives warnings (default: standard error), e.g. that BNNC_FAULT injects a fault (docs/fault-injection.md). */
  warn?: (message: string) => void;
}

/** How stored values become model inputs, and which samples to use (the CLI's data options). */
export interface DataOptions {
  /** Use only the first N samples. */
  limit?: number;
  /** Model input = scale * stored value + offset (e.g. 1/255 for pixels stored as 0..255). */
  scale?: number;
  offset?: number;
  /** Headerless CSV: the labels' column (0-based index, or 'last'). */
  labelColumn?: LabelColumn;
}

/** The emulator's result for one sample: exactly what the generated C computes. */
export interface Prediction {
  /** argmax of `scores`, ties to the lowest index. */
  class: number;
  /** Integer scores (dot products, or fixed-point logits when the model ends with an affine map). */
  scores: number[];
  /** Packed output bits of every layer before the scores layer (uint32 words, bit 1 = -1, LSB first). */
  activations: Uint32Array[];
}

export interface ModelSummary {
  name: string;
  source: string;
  format: Model['sourceFormat'];
  input: InputSpec;
  classes: number;
  /** The lowered layers with their parameters, flash and arena bytes (the table of `bnnc inspect`). */
  layers: LayerSummary[];
  flashBytes: number;
  arenaBytes: number;
  arenaLowerBoundBytes: number;
}

export interface GenerateOptions {
  /** Target name (see `bnnc targets`); default host. Its kernel variant and flash/RAM budget apply. */
  target?: string;
  /** Kernel variant (default: the target's preference). */
  kernel?: string;
  /** C identifier prefix (default: the model name, sanitised). */
  name?: string;
  /** arduino, platformio or c (default: arduino for targets with an Arduino board, else c). */
  format?: PackageFormat;
  /** Embed the first samples of this data set as self-test vectors (default: deterministic pseudo-random inputs). */
  data?: string;
  dataOptions?: DataOptions;
}

export interface GenerateResult {
  /** Absolute path of the written folder (replaced as a whole). */
  dir: string;
  files: string[];
  /** The target's name, its kernel variant and the library format. */
  target: string;
  format: PackageFormat;
  kernel: string;
  flashBytes: number;
  ramBytes: number;
  /** The C prefix used, and why it is not the sanitised name when the name is reserved by the runtime (else null). */
  prefix: string;
  reservedNote: string | null;
}

export interface VerifyOptions extends DataOptions {
  /** Also cross-compile for this target and run it under QEMU when it has a machine (default host). */
  target?: string;
  kernel?: string;
  /**
   * Also price one inference in cycles with the target core's timing model (Cortex-M0+, Cortex-M4),
   * over QEMU's execution trace: about 0.5 M instructions/s, so off by default.
   */
  cycles?: boolean;
  /** Build with ASan/UBSan too (default true). */
  sanitize?: boolean;
  /** Compare with the float reference (default true). */
  reference?: boolean;
  /** Float reference for standard ONNX graphs: auto (onnxruntime-node when installed, else bnnc's interpreter). */
  referenceEngine?: ReferenceChoice;
  /** Keep the generated sources and host programs in this folder. */
  keep?: string;
  progress?: Progress;
}

/**
 * The example bnnc ships (what `bnnc demo` runs): a binary MLP for MNIST
 * (uint8 input [1, 28, 28], 10 classes) and a folder with the first 1,000
 * MNIST test images and labels (IDX, gzip). Absolute paths.
 */
export const BUNDLED_EXAMPLE: { readonly model: string; readonly data: string } = {
  model: join(PROJECT_ROOT, 'examples', 'mnist-mlp', 'model.onnx'),
  data: join(PROJECT_ROOT, 'examples', 'mnist-mlp', 'data'),
};

/** The names of the lowering passes, in the order they run. */
export const PASS_NAMES: readonly string[] = PASSES.map((p) => p.name);

/** Reads a data set: a folder of IDX files, .npy, .npz (inputs, labels) or .csv, each optionally gzipped. */
export function loadData(path: string, options: DataOptions = {}): Dataset {
  return loadDataset(path, options);
}

/** Loads and lowers a model (.onnx from PyTorch, QONNX or FINN, or .bnn.json). Throws a BnncError naming the problem. */
export function loadBnnModel(path: string, options: ModelOptions = {}): BnnModel {
  const model = loadModel(path, { inputType: options.inputType, inputScale: options.inputScale, inputZeroPoint: options.inputZeroPoint });
  const lowered = runPasses(model, options.dumpAfter ? { dumpAfter: options.dumpAfter } : {});
  // A testing aid (docs/fault-injection.md): one fault after the passes, so the emulator and the generated C both carry it.
  const fault = faultFromEnvironment();
  if (!fault) return new BnnModel(model, lowered);
  (options.warn ?? ((s: string) => process.stderr.write(`${s}\n`)))(
    `warning: ${FAULT_VARIABLE}=${process.env[FAULT_VARIABLE]}: a fault is injected into the lowered model (a testing aid; unset it for real builds)`);
  return new BnnModel(model, applyFault(lowered, fault));
}

export class BnnModel {
  constructor(
    /** The imported graph (float semantics). */
    readonly model: Model,
    /** The lowered layers (integer semantics) that the emulator runs and the C implements. */
    readonly lowered: LoweredModel,
  ) {}

  get name(): string { return this.model.name; }
  get input(): InputSpec { return this.model.input; }
  get classes(): number { return this.model.classes; }

  inspect(): ModelSummary {
    const layers = summarize(this.lowered);
    return {
      name: this.model.name, source: this.model.sourcePath, format: this.model.sourceFormat, input: this.model.input,
      classes: this.model.classes, layers, flashBytes: layers.reduce((s, r) => s + r.flashBytes, 0),
      arenaBytes: this.lowered.memory.arenaBytes, arenaLowerBoundBytes: this.lowered.memory.lowerBoundBytes,
    };
  }

  /** Runs one sample (the model's input values, `input.features` of them) through the emulator. */
  emulate(sample: ArrayLike<number>): Prediction {
    return this.emulateBatch([sample])[0];
  }

  /** Runs every sample of a data set (see loadData), or an array of samples, through the emulator. */
  emulateBatch(samples: Dataset | ArrayLike<number>[]): Prediction[] {
    return deviceInputs(this.lowered, this.asDataset(samples)).map((x) => {
      const r = emulate(this.lowered, x);
      return { class: r.prediction, scores: Array.from(r.scores), activations: r.activations };
    });
  }

  /** Writes the C sources for a target into `dir` (replacing it as a whole), as `bnnc build` does. */
  generate(dir: string, options: GenerateOptions = {}): GenerateResult {
    // The folder is checked before any work: bnnc replaces only folders it wrote (src/files/output.ts).
    const guard = { option: '-o', inputs: [this.model.sourcePath, options.data] };
    checkOutputDir(dir, guard);
    const target = loadTarget(options.target ?? 'host');
    const format = parseFormat(options.format, target);
    const vectors = embeddedVectors(this.lowered, { data: options.data, ...options.dataOptions });
    const footprint = checkModelFits(target, this.lowered, this.model.sourcePath);
    checkArraySizes(target, this.lowered, vectors.length, this.model.sourcePath);
    const kernel = selectKernel(target, options.kernel);
    const prefix = modelPrefix(options.name ?? this.model.name);
    const name = prefix.prefix;
    const files = generatePackage(format, this.lowered, { name, vectors, kernel, targetName: target.name });
    const written = writeOutputDir(dir, files, guard);
    return { dir: written, files: files.map((f) => f.name), target: target.name, format, kernel, ...footprint, prefix: name, reservedNote: reservedPrefixNote(prefix) };
  }

  /** `bnnc verify`: emulator vs host C (strict, sanitizers), vs QEMU for a target, vs the float reference. */
  verify(data: string, options: VerifyOptions = {}): Promise<VerifyReport> {
    return verifyOnHost(this.model, this.lowered, {
      data, limit: options.limit, scale: options.scale, offset: options.offset, labelColumn: options.labelColumn,
      workDir: options.keep, noSanitize: options.sanitize === false, noReference: options.reference === false,
      referenceEngine: options.referenceEngine, progress: options.progress,
      target: loadTarget(options.target ?? 'host'), kernel: options.kernel, cycles: options.cycles,
    });
  }

  private asDataset(samples: Dataset | ArrayLike<number>[]): Dataset {
    if (!Array.isArray(samples)) return samples as Dataset;
    const n = this.model.input.features;
    const inputs = new Float64Array(samples.length * n);
    samples.forEach((s, i) => {
      if (s.length !== n) {
        throw new BnncError(`sample ${i} has ${s.length} values, the model takes ${n}`, {
          where: `${this.model.name} input`, expected: `${n} values (input shape [${this.model.input.shape.join(', ')}])`,
        });
      }
      inputs.set(Array.from(s), i * n);
    });
    return { source: 'samples passed to emulate()', samples: samples.length, features: n, shape: this.model.input.shape, inputs, labels: null };
  }
}
