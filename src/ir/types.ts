/**
 * The bnnc IR: a sequential network. Importers produce layers with float
 * semantics (affine, sign, clip, dense, conv2d, maxpool, avgpool, argmax,
 * defined here); the passes in src/passes/ rewrite them, in a fixed order,
 * into lowered layers with integer semantics, one op per folder under
 * src/ops/ (each folder's index.ts defines its layer type; src/ops/registry.ts
 * lists them and forms the LoweredLayer union). The emulator and codegen accept
 * only the lowered ones. The named layer types are re-exported here for convenience.
 *
 * Tensors between layers are NHWC activations ([height, width, channels],
 * Hwc below); a flat feature vector is [1, 1, F]. Binary tensors are packed
 * per pixel as in src/bitops.ts.
 */
import type { BinarizeInputLayer } from '../ops/binarize_input/index.ts';
import type { Conv2dB1Layer } from '../ops/conv2d_b1/index.ts';
import type { Conv2dIntB1Layer } from '../ops/conv2d_int_b1/index.ts';
import type { DenseB1Layer } from '../ops/dense_b1/index.ts';
import type { DenseB1ScoresLayer } from '../ops/dense_b1_scores/index.ts';
import type { DenseIntB1Layer } from '../ops/dense_int_b1/index.ts';
import type { DenseIntScoresLayer } from '../ops/dense_int_scores/index.ts';
import type { MaxPoolB1Layer } from '../ops/maxpool_b1/index.ts';

import type { LoweredLayer } from '../ops/registry.ts';

export type {
  BinarizeInputLayer, Conv2dB1Layer, Conv2dIntB1Layer, DenseB1Layer, DenseB1ScoresLayer, DenseIntB1Layer, DenseIntScoresLayer, LoweredLayer, MaxPoolB1Layer,
};

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
export interface Origin {
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

/**
 * 2-D convolution, NHWC; weight [out channels][kh][kw][in channels of its group].
 * With `groups` (absent = 1) output channel o reads input channels
 * g * C/groups .. (g + 1) * C/groups - 1 of its group g = floor(o / (OC/groups));
 * `dilation` (absent = 1 x 1) spaces the taps.
 */
export interface Conv2dLayer extends Origin {
  kind: 'conv2d';
  groups?: number;
  dilation?: [number, number];
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

/** Window of a pooling layer: floor mode, NHWC (a max-pool may also be padded, see MaxPoolLayer). */
export interface PoolWindow extends Origin {
  inShape: Hwc;
  outShape: Hwc;
  kernel: [number, number];
  stride: [number, number];
}

/** Max-pooling; padded positions (pads: top, left, bottom, right; absent = none) never win. */
export interface MaxPoolLayer extends PoolWindow {
  kind: 'maxpool';
  pads?: [number, number, number, number];
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
// Building blocks of the lowered layer types (src/ops/<kind>/index.ts).

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
 * optionally followed by a max- or average-pool of its accumulators (window
 * `pool`, [1, 1] = none, moved by `poolStride`, with `poolPads` leading
 * positions outside the convolution output that never win) before the
 * threshold; outShape is after the pool. With an average pool the thresholded
 * accumulator is the window's sum (no pads).
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
  poolStride: [number, number];
  /** top, left: pool positions before the first convolution output row/column (bottom/right follow from outShape) */
  poolPads: [number, number];
  poolMode: 'max' | 'sum';
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

export type FloatLayer = AffineLayer | SignLayer | ClipLayer | DenseLayer | Conv2dLayer | MaxPoolLayer | AvgPoolLayer | ArgmaxLayer;
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
