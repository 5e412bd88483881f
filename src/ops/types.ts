/**
 * The interface every lowered op implements (one folder per op under
 * src/ops/, listed in registry.ts). Each member is what one stage below the
 * importer needs to know about the op; the stages themselves (passes,
 * emulator, codegen, verify, inspect) only look the op up and call these.
 * docs/adding-an-op.md walks through a new op.
 */
import type { Hwc, LoweredLayer, LoweredModel, Model } from '../ir/types.ts';

/** A documented range of a C kernel's argument (checkKernelLimits refuses a layer outside it). */
export interface Limit {
  /** What is limited, e.g. "kernel height (k_h, int8_t)". */
  what: string;
  value: number;
  min: number;
  max: number;
  /** What the user can do about a value above max. */
  hint: string;
}

/** One constant array of the generated model source. */
export interface CArray {
  ctype: string;
  name: string;
  length: number;
  body: string;
}

/** Where a layer's call finds its buffers, as C expressions, and the prefix of its constant arrays. */
export interface CallSite {
  model: LoweredModel;
  input: string;
  output: string;
  /** `NULL` when the layer has no scratch. */
  scratch: string;
  /** e.g. `mnist_l0`: the layer's arrays are `<base>_weights`, `<base>_threshold`, ... */
  base: string;
}

/** The C of one layer: its constant arrays, an optional parameter struct, and the arguments of templates/c/calls/<kind>.hbs. */
export interface LayerCode {
  arrays: CArray[];
  params: { name: string; body: string } | false;
  call: Record<string, string | number>;
}

/** A kernel source file the layer needs, and the template (templates/<template>.hbs) that renders it. */
/** A kernel file a layer needs: copied from runtime/, or rendered from a template where it varies. */
export interface KernelFile {
  file: string;
  template?: { name: string; context: object };
}

/** Row geometry of a layer's binary weights: values per row, values per packed group, words per row. */
export interface WeightRows {
  length: number;
  group: number;
  words: number;
}

export interface LoweredOp<L extends LoweredLayer = LoweredLayer> {
  kind: L['kind'];
  /** `bits`: packed activations in the arena; `scores`: int32 class scores in the caller's buffer (the last layer). */
  output: 'bits' | 'scores';

  // IR: shape rules and the --dump-after line.
  /** Packing of the output: [H, W, C] (a flat vector is [1, 1, F]). */
  outputShape(layer: L): Hwc;
  /** "784 -> 512", "28x28x1 -> 14x14x16" (generated comments, inspect). */
  shapeText(layer: L): string;
  describe(layer: L): string;

  /**
   * A first-layer op whose device reads the input in another order than the
   * source model stores it: for each device position, the index of the value
   * in the model's (data file's) order; null or absent when both orders agree.
   */
  deviceInputOrder?(layer: L): Int32Array | null;

  // Emulator: the op's exact integer arithmetic.
  emulate(layer: L, input: ArrayLike<number>, model: LoweredModel): Uint32Array | Int32Array;
  /** The accumulator behind output feature `feature` (what its threshold compares), for explaining differences. */
  accumulator?(layer: L, input: ArrayLike<number>, feature: number): number;

  // Verification against the float reference (verify/compareReference.ts).
  /** The reference computes the output bits with a sign, which may see exactly 0 (ONNX Sign(0) = 0). */
  referenceSign: boolean;
  /** Is the feature's accumulator within the reference's own float32 rounding of the boundary? */
  withinReferenceRounding(layer: L, feature: number, input: ArrayLike<number>): boolean;
  /**
   * For a layer whose rounding bound depends on the sample (float32 input): the
   * largest |value at the sign| the reference's rounding explains for this
   * sample; absent: the layer's static `referenceSlack`, if any.
   */
  referenceSlackAt?(layer: L, feature: number, input: ArrayLike<number>): number;

  // Memory plan (passes/planMemory.ts).
  /** Bytes of the arena output (packed bits); 0 when the layer writes the caller's scores. */
  outputBytes(layer: L): number;
  scratchBytes(layer: L): number;

  /** The documented ranges of the kernel the layer runs on (passes/checkKernelLimits.ts). */
  kernelLimits(layer: L, model: Model): Limit[];

  // Fault injection targets (verify/faults.ts).
  /** Output channels with their own parameters (features for binarize_input), 0 for none. */
  channels(layer: L): number;
  /** Inclusive range the C kernel stores a threshold in; absent for an op without thresholds. */
  thresholdRange?(layer: L, model: LoweredModel): [number, number];
  weightRows?(layer: L): WeightRows;

  // Inspect row (inspect/summary.ts).
  /** The input type the layer reads: `binary`, or the device input's dtype. */
  inputKind(layer: L, model: LoweredModel): string;
  /** Parameters and flash bytes of the layer's constants. */
  constants(layer: L, model: LoweredModel): { params: number; bytes: number };

  // Codegen (codegen/generate.ts).
  code(layer: L, site: CallSite): LayerCode;
  kernelFiles(layer: L, model: LoweredModel): KernelFile[];
  /** For a scores layer: the C expression of the raw dot product of class o from its kernel output `scores[o]`. */
  rawDot?(layer: L): string;
}
