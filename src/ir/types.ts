/**
 * The bnnc IR: a sequential network. Importers produce layers with float
 * semantics (`affine`, `sign`, `clip`, `dense`, `argmax`); the passes in
 * src/passes/ rewrite them, in a fixed order, into layers with integer
 * semantics (`binarize_input`, `dense_int_b1`, `dense_b1`, `dense_b1_scores`,
 * `dense_int_scores`). The emulator and codegen accept only the integer ones.
 *
 * Tensors between layers are flat feature vectors: for an MLP the shape is
 * just the feature count. Binary tensors are packed as in src/bitops.ts.
 */

/** sign(0): +1 for Larq/BipolarQuant/our kernels, 0 for ONNX `Sign`. */
export type SignAtZero = 'plus' | 'zero';

/** How the device receives the model input. */
export type InputDType = 'uint8' | 'int8' | 'float32';

export interface InputSpec {
  name: string;
  /** Shape as the source model declares it, without the batch axis. */
  shape: number[];
  /** Flattened feature count. */
  features: number;
  dtype: InputDType;
}

/** One float32 operation with a per-channel (length C) or scalar (length 1) constant. */
export interface AffineStep {
  op: 'mul' | 'add' | 'sub' | 'div';
  value: Float32Array;
}

/** Where a layer came from: source node names, for `inspect` and errors. */
interface Origin {
  name: string;
  sources: string[];
}

// ---------------------------------------------------------------- float semantics

/** y = steps applied in order, each rounded to float32 (the reference's own order). */
export interface AffineLayer extends Origin {
  kind: 'affine';
  features: number;
  steps: AffineStep[];
}

export interface SignLayer extends Origin {
  kind: 'sign';
  features: number;
  atZero: SignAtZero;
}

/** Clip/Hardtanh: only meaningful right before a sign (then it has no effect). */
export interface ClipLayer extends Origin {
  kind: 'clip';
  features: number;
  min: number;
  max: number;
}

/** y[o] = sum_i weight[o*in + i] * x[i] (+ bias[o]); weights row-major [out][in]. */
export interface DenseLayer extends Origin {
  kind: 'dense';
  inFeatures: number;
  outFeatures: number;
  weight: Float32Array;
  bias: Float32Array | null;
}

/** Prediction: index of the largest value, ties to the lowest index. */
export interface ArgmaxLayer extends Origin {
  kind: 'argmax';
  features: number;
}

// ---------------------------------------------------------------- integer semantics

/** Per-channel threshold and flip; the comparison depends on the layer kind (see bitops.ts). */
export interface Thresholds {
  threshold: Int32Array;
  flip: Uint8Array;
}

/** Float input to bits: bit = (x < threshold[i]) XOR flip[i], thresholds exact in float32. */
export interface BinarizeInputLayer extends Origin {
  kind: 'binarize_input';
  features: number;
  threshold: Float32Array;
  flip: Uint8Array;
}

/** Integer input (uint8/int8) times binary weights, thresholded: bit = (acc < T) XOR flip. */
export interface DenseIntB1Layer extends Origin, Thresholds {
  kind: 'dense_int_b1';
  inputDType: 'uint8' | 'int8';
  inFeatures: number;
  outFeatures: number;
  /** Packed weight rows, wordsFor(inFeatures) words each; bit 1 = weight -1. */
  weights: Uint32Array;
}

/** Binary input times binary weights, thresholded: bit = (popcount(x^w) > T) XOR flip. */
export interface DenseB1Layer extends Origin, Thresholds {
  kind: 'dense_b1';
  inFeatures: number;
  outFeatures: number;
  weights: Uint32Array;
}

/**
 * Fixed-point output transform of the last layer: score = mult[o] * dot + bias[o],
 * a Q(fracBits) number. Null transform means score = dot.
 */
export interface ScoreTransform {
  mult: Int32Array;
  bias: Int32Array;
  fracBits: number;
}

/** Last layer on binary input: integer scores (dot products, or fixed-point logits). */
export interface DenseB1ScoresLayer extends Origin {
  kind: 'dense_b1_scores';
  inFeatures: number;
  outFeatures: number;
  weights: Uint32Array;
  transform: ScoreTransform | null;
}

/** Last layer on integer input (a single-layer model): scores from the add/subtract sum. */
export interface DenseIntScoresLayer extends Origin {
  kind: 'dense_int_scores';
  inputDType: 'uint8' | 'int8';
  inFeatures: number;
  outFeatures: number;
  weights: Uint32Array;
  transform: ScoreTransform | null;
}

export type FloatLayer = AffineLayer | SignLayer | ClipLayer | DenseLayer | ArgmaxLayer;
export type LoweredLayer =
  | BinarizeInputLayer
  | DenseIntB1Layer
  | DenseB1Layer
  | DenseB1ScoresLayer
  | DenseIntScoresLayer;
export type Layer = FloatLayer | LoweredLayer;

/** Activation arena: where each lowered layer reads and writes. */
export interface MemoryPlan {
  arenaBytes: number;
  /** Theoretical minimum for sequential execution: max over layers of in + out + scratch bytes. */
  lowerBoundBytes: number;
  /** Per lowered layer: byte offsets of its input, output and scratch in the arena, -1 = caller buffer / none. */
  layers: {
    name: string; inputOffset: number; inputBytes: number; outputOffset: number; outputBytes: number;
    scratchOffset: number; scratchBytes: number;
  }[];
}

export interface Model {
  /** Model name as given by the source (not yet a C identifier). */
  name: string;
  /** Path of the file the model was read from. */
  sourcePath: string;
  /** Source format, e.g. "onnx" or "bnn.json". */
  sourceFormat: string;
  /** sha256 of the source bytes, hex; the banner of every generated file shows it. */
  sourceHash: string;
  input: InputSpec;
  /** Number of classes (features of the last layer). */
  classes: number;
  layers: Layer[];
  memory: MemoryPlan | null;
}

export interface LoweredModel extends Model {
  layers: LoweredLayer[];
  memory: MemoryPlan;
}

export const LOWERED_KINDS: ReadonlySet<Layer['kind']> = new Set([
  'binarize_input',
  'dense_int_b1',
  'dense_b1',
  'dense_b1_scores',
  'dense_int_scores',
]);

export function isLowered(model: Model): model is LoweredModel {
  return model.memory !== null && model.layers.every((l) => LOWERED_KINDS.has(l.kind));
}

/** Output feature count of any layer. */
export function outputFeatures(layer: Layer): number {
  switch (layer.kind) {
    case 'dense':
    case 'dense_int_b1':
    case 'dense_b1':
    case 'dense_b1_scores':
    case 'dense_int_scores':
      return layer.outFeatures;
    case 'argmax':
      return 1;
    default:
      return layer.features;
  }
}
