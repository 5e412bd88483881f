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

/**
 * Spatial layout of an activation: [height, width, channels] (NHWC without the
 * batch axis). A flat vector of F features is [1, 1, F]. Binary tensors pack
 * each pixel's channels into wordsFor(channels) words (bitops.ts packedWords).
 */
export type Hwc = [number, number, number];

/** Values outside the input of a convolution: float zero (those taps contribute 0), +1 or -1. */
export type Padding = 'zero' | 'plus' | 'minus';

/**
 * One float32 operation with a constant: scalar (length 1) or one value per
 * feature index modulo its length (per channel: length C, channels innermost).
 */
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

/** 2-D convolution, NHWC; weight [out channels][kh][kw][in channels]. */
export interface Conv2dLayer extends Origin {
  kind: 'conv2d';
  inShape: Hwc;
  outShape: Hwc;
  kernel: [number, number];
  stride: [number, number];
  /** top, left, bottom, right */
  pads: [number, number, number, number];
  padding: Padding;
  weight: Float32Array;
  bias: Float32Array | null;
}

/** Window of a pooling layer: no padding, floor mode, NHWC. */
export interface PoolWindow extends Origin {
  inShape: Hwc;
  outShape: Hwc;
  kernel: [number, number];
  stride: [number, number];
}

/** Max-pooling. */
export interface MaxPoolLayer extends PoolWindow {
  kind: 'maxpool';
}

/** Average pooling (AveragePool, GlobalAveragePool): float32 sum / count. */
export interface AvgPoolLayer extends PoolWindow {
  kind: 'avgpool';
}

/** Prediction: index of the largest value, ties to the lowest index. */
export interface ArgmaxLayer extends Origin {
  kind: 'argmax';
  features: number;
}

// ---------------------------------------------------------------- integer semantics

/**
 * An integer-input layer's float32 arithmetic in the reference, for a
 * per-sample bound of its rounding (passes/referenceRounding.ts): the input
 * scaling x = scale*v + offset that bnnc folds exactly, the largest error of the
 * reference's own float32 scaling of one value, the terms per output (inputs or
 * taps), the roundings on the longest path, |bias| per channel, and the change
 * of the pre-activation per accumulator step.
 */
export interface IntegerInputRounding {
  scale: number;
  offset: number;
  inputError: number;
  terms: number;
  roundings: number;
  bias: Float32Array | null;
  unit: number;
}

/** Per-channel threshold and flip; the comparison depends on the layer kind (see bitops.ts). */
export interface Thresholds {
  threshold: Int32Array;
  flip: Uint8Array;
  /**
   * Per channel: how many accumulator steps on each side of the boundary the
   * float reference's own rounding may decide (passes/referenceRounding.ts).
   * Absent: the reference computes this layer exactly as folded, so any
   * disagreement with it is a bnnc bug (binary layers without a fractional Gemm bias).
   */
  referenceReach?: Int32Array;
  /**
   * Per channel, with referenceReach: the largest |value the reference's sign sees|
   * when its rounding, not the model, decides the bit (the error of the pre-activation
   * carried through the affine chain, passes/referenceRounding.ts chainSlack). A
   * disagreement where the reference saw a larger value is not a tie.
   */
  referenceSlack?: Float64Array;
}

/**
 * Convolution geometry of a lowered conv layer: the convolution (convShape) is
 * optionally followed by a max- or average-pool of its accumulators (pool
 * window = stride, [1, 1] = none) before the threshold; outShape is after the
 * pool. With an average pool the thresholded accumulator is the window's sum.
 */
export interface ConvGeometry {
  inShape: Hwc;
  convShape: Hwc;
  outShape: Hwc;
  kernel: [number, number];
  stride: [number, number];
  pads: [number, number, number, number];
  padding: Padding;
  pool: [number, number];
  poolMode: 'max' | 'sum';
}

/**
 * Binary conv: dot = sum over taps of (C - 2 popcount(x_tap ^ w_tap)), where taps
 * outside the input contribute 0 (float-zero padding) or use an all-0 / all-1
 * pixel (+1 / -1 padding); bit = (max-pooled dot < T) XOR flip.
 */
export interface Conv2dB1Layer extends Origin, Thresholds, ConvGeometry {
  kind: 'conv2d_b1';
  /** Packed [oc][kh][kw] x wordsFor(C) words. */
  weights: Uint32Array;
}

/** Integer-input conv (first layer; input in CHW order as the source model declares it): bit = (acc < T) XOR flip. */
export interface Conv2dIntB1Layer extends Origin, Thresholds, ConvGeometry {
  kind: 'conv2d_int_b1';
  inputDType: 'uint8' | 'int8';
  /** For the per-sample tie bound; `referenceReach` is its worst case over every input. */
  referenceRounding?: IntegerInputRounding;
  weights: Uint32Array;
}

/** Max-pool of binary activations: max of +/-1 is +1, so the output bit is the AND of the window's bits. */
export interface MaxPoolB1Layer extends PoolWindow {
  kind: 'maxpool_b1';
}

/** Float input to bits: bit = (x < threshold[i]) XOR flip[i], thresholds exact in float32. */
export interface BinarizeInputLayer extends Origin {
  kind: 'binarize_input';
  features: number;
  /** Packing of the output: [H, W, C] when a convolution reads it, [1, 1, features] otherwise. */
  shape: Hwc;
  threshold: Float32Array;
  flip: Uint8Array;
}

/** Integer input (uint8/int8) times binary weights, thresholded: bit = (acc < T) XOR flip. */
export interface DenseIntB1Layer extends Origin, Thresholds {
  kind: 'dense_int_b1';
  inputDType: 'uint8' | 'int8';
  /** For the per-sample tie bound; `referenceReach` is its worst case over every input. */
  referenceRounding?: IntegerInputRounding;
  inFeatures: number;
  outFeatures: number;
  /** Packed weight rows, wordsFor(inFeatures) words each; bit 1 = weight -1. */
  weights: Uint32Array;
}

/** Binary input times binary weights, thresholded: bit = (popcount(x^w) > T) XOR flip. */
export interface DenseB1Layer extends Origin, Thresholds {
  kind: 'dense_b1';
  inFeatures: number;
  /** Channels per pixel of the packed input (inFeatures for a flat vector; C after a conv). */
  inGroup: number;
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
  /** Channels per pixel of the packed input (inFeatures for a flat vector; C after a conv). */
  inGroup: number;
  outFeatures: number;
  weights: Uint32Array;
  transform: ScoreTransform | null;
  /**
   * Reference logit units: two classes whose float logits differ by at most this
   * may be ordered differently by the integer scores (fixed-point rounding plus
   * the reference's own float32 rounding; see passes/foldScores.ts). Absent: 0.
   */
  logitBound?: number;
}

/** Last layer on integer input (a single-layer model): scores from the add/subtract sum. */
export interface DenseIntScoresLayer extends Origin {
  kind: 'dense_int_scores';
  inputDType: 'uint8' | 'int8';
  inFeatures: number;
  outFeatures: number;
  weights: Uint32Array;
  transform: ScoreTransform | null;
  /**
   * Reference logit units: two classes whose float logits differ by at most this
   * may be ordered differently by the integer scores (fixed-point rounding plus
   * the reference's own float32 rounding; see passes/foldScores.ts). Absent: 0.
   */
  logitBound?: number;
}

export type FloatLayer = AffineLayer | SignLayer | ClipLayer | DenseLayer | Conv2dLayer | MaxPoolLayer | AvgPoolLayer | ArgmaxLayer;
export type LoweredLayer =
  | BinarizeInputLayer
  | Conv2dB1Layer
  | Conv2dIntB1Layer
  | MaxPoolB1Layer
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
  'conv2d_b1',
  'conv2d_int_b1',
  'maxpool_b1',
  'dense_int_b1',
  'dense_b1',
  'dense_b1_scores',
  'dense_int_scores',
]);

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
    case 'conv2d':
    case 'maxpool':
    case 'avgpool':
    case 'conv2d_b1':
    case 'conv2d_int_b1':
    case 'maxpool_b1':
      return layer.outShape[0] * layer.outShape[1] * layer.outShape[2];
    default:
      return layer.features;
  }
}

/** Output layout of a layer: its spatial shape, or [1, 1, F] for flat layers. */
export function outputShape(layer: Layer): Hwc {
  if ('outShape' in layer) return layer.outShape;
  if (layer.kind === 'binarize_input') return layer.shape;
  return [1, 1, outputFeatures(layer)];
}
