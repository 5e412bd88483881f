/**
 * A Keras layer after parsing: its config checked, its weights read and
 * checked against the shapes the config and its input imply. Both the IR
 * translation (each layer file's `toIr`) and the Larq reference interpreter
 * (src/reference/larq.ts) start from these; neither reads the file again.
 * Shapes are Keras shapes without the batch axis: [H, W, C] (channels last,
 * bnnc's NHWC) or [F].
 */
import type { FloatLayer } from '../../../ir/types.ts';
import type { KerasLayerConfig } from '../config.ts';
import type { Quantizer } from '../quantizers.ts';
import type { WeightStore } from '../weights.ts';

interface Base {
  name: string;
  className: string;
  inShape: number[];
  outShape: number[];
}

export interface InputLayerSpec extends Base { kind: 'input'; dtype: string }
/** y = x * scale + offset (keras.layers.Rescaling), float32. */
export interface RescalingSpec extends Base { kind: 'rescaling'; scale: number; offset: number }
/** Kernel [in][out] (Keras' Dense layout), as stored (latent weights). */
export interface DenseSpec extends Base {
  kind: 'dense';
  inputQuantizer: Quantizer | null;
  kernelQuantizer: Quantizer | null;
  kernel: Float32Array;
  bias: Float32Array | null;
}
/**
 * Kernel as stored: HWIO [kh][kw][in / groups][out] (Keras' Conv2D layout;
 * output channel o reads the input channels of its group floor(o / (out / groups))),
 * or for a depthwise layer [kh][kw][in][depthMultiplier] (Keras' DepthwiseConv2D
 * layout; output channel c * depthMultiplier + m reads input channel c only).
 */
export interface Conv2dSpec extends Base {
  kind: 'conv2d';
  inputQuantizer: Quantizer | null;
  kernelQuantizer: Quantizer | null;
  kernel: Float32Array;
  bias: Float32Array | null;
  kernelSize: [number, number];
  strides: [number, number];
  /** Spacing of the taps (Keras' dilation_rate). */
  dilation: [number, number];
  /** Input channels / groups per group; a depthwise layer has groups = input channels. */
  groups: number;
  /** DepthwiseConv2D's depth_multiplier (the kernel's last axis); null for Conv2D. */
  depthMultiplier: number | null;
  /** top, left, bottom, right (TensorFlow's "same": the extra row/column at the bottom/right). */
  pads: [number, number, number, number];
  /** Value outside the input after the input quantizer: Larq's pad_values (0 = TF's own zero padding). */
  padValue: 0 | 1 | -1;
}
/** Inference with the moving statistics; null gamma/beta = scale/center false. */
export interface BatchNormSpec extends Base {
  kind: 'batchnorm';
  epsilon: number;
  gamma: Float32Array | null;
  beta: Float32Array | null;
  mean: Float32Array;
  variance: Float32Array;
}
/** Max or average pool, no padding, floor mode (GlobalAveragePooling2D: the window is the whole map). */
export interface PoolSpec extends Base { kind: 'maxpool' | 'avgpool'; pool: [number, number]; strides: [number, number] }
/** Flatten or Reshape: the values keep their order (channels-last). */
export interface ReshapeSpec extends Base { kind: 'reshape' }
/** linear, or softmax on the model output (monotone: the argmax is unchanged). */
export interface ActivationSpec extends Base { kind: 'activation'; activation: 'linear' | 'softmax' }

export type LayerSpec = InputLayerSpec | RescalingSpec | DenseSpec | Conv2dSpec | BatchNormSpec | PoolSpec | ReshapeSpec | ActivationSpec;

export interface ParseContext {
  file: string;
  layer: KerasLayerConfig;
  /** `layer "name" (Class)`, for messages. */
  where: string;
  /** Output shape of the previous layer (the model input for the first one); null before an InputLayer. */
  inShape: number[] | null;
  isLast: boolean;
  weights: WeightStore;
}

export interface LayerHandler {
  className: string;
  parse(ctx: ParseContext): LayerSpec;
  /** IR layers with the float semantics of the parsed layer. */
  toIr(spec: LayerSpec): FloatLayer[];
}
