/**
 * The lowered ops: kind -> op module (one folder per op, src/ops/<kind>/).
 * Every stage below the importer looks a layer's op up here; a kind missing
 * from the registry is a bnnc bug and fails loudly, never with a default.
 */
import type { Hwc, Layer, LoweredModel } from '../ir/types.ts';
import { binarizeInputOp, type BinarizeInputLayer } from './binarize_input/index.ts';
import { conv2dB1Op, type Conv2dB1Layer } from './conv2d_b1/index.ts';
import { conv2dF32B1Op, type Conv2dF32B1Layer } from './conv2d_f32_b1/index.ts';
import { conv2dGroupedB1Op, type Conv2dGroupedB1Layer } from './conv2d_grouped_b1/index.ts';
import { conv2dIntB1Op, type Conv2dIntB1Layer } from './conv2d_int_b1/index.ts';
import { denseB1Op, type DenseB1Layer } from './dense_b1/index.ts';
import { denseB1ScoresOp, type DenseB1ScoresLayer } from './dense_b1_scores/index.ts';
import { denseF32B1Op, type DenseF32B1Layer } from './dense_f32_b1/index.ts';
import { denseIntB1Op, type DenseIntB1Layer } from './dense_int_b1/index.ts';
import { denseIntScoresOp, type DenseIntScoresLayer } from './dense_int_scores/index.ts';
import { maxpoolB1Op, type MaxPoolB1Layer } from './maxpool_b1/index.ts';
import type { LoweredOp } from './types.ts';

/** Every lowered layer type (the IR after the passes; ir/types.ts re-exports it). */
export type LoweredLayer =
  | BinarizeInputLayer
  | Conv2dB1Layer
  | Conv2dGroupedB1Layer
  | Conv2dIntB1Layer
  | Conv2dF32B1Layer
  | MaxPoolB1Layer
  | DenseIntB1Layer
  | DenseF32B1Layer
  | DenseB1Layer
  | DenseB1ScoresLayer
  | DenseIntScoresLayer;

const OP_LIST = [
  binarizeInputOp, denseIntB1Op, denseF32B1Op, denseB1Op, conv2dIntB1Op, conv2dF32B1Op, conv2dB1Op, conv2dGroupedB1Op, maxpoolB1Op, denseB1ScoresOp, denseIntScoresOp,
] as const;

/** Does not compile while a lowered layer type has no op in OP_LIST. */
const everyKindListed: Record<Exclude<LoweredLayer['kind'], (typeof OP_LIST)[number]['kind']>, never> = {};
void everyKindListed;

type OpTable = { [K in LoweredLayer['kind']]: LoweredOp<Extract<LoweredLayer, { kind: K }>> };

/** Keyed by each op's own kind, so a key cannot disagree with its module. */
const OPS = Object.fromEntries(OP_LIST.map((op) => [op.kind, op])) as unknown as OpTable;

/** Every lowered op, in the order above. */
export const LOWERED_OPS: readonly LoweredOp[] = OP_LIST;

/** Every lowered kind, in the order above. */
export const LOWERED_KINDS: readonly string[] = OP_LIST.map((op) => op.kind);

export function isLowered(layer: Layer | undefined): layer is LoweredLayer {
  return layer !== undefined && Object.hasOwn(OPS, layer.kind);
}

/** The op of a lowered layer. */
export function opFor<L extends LoweredLayer>(layer: L): LoweredOp<L> {
  if (!Object.hasOwn(OPS, layer.kind)) {
    throw new Error(`bnnc internal error: no lowered op "${String(layer.kind)}" in src/ops/registry.ts (layer "${layer.name}"); known: ${LOWERED_KINDS.join(', ')}`);
  }
  return OPS[layer.kind as L['kind']] as unknown as LoweredOp<L>;
}

/** A lowered layer that writes packed bits (every one but the scores layer). */
export function producesBits(layer: Layer | undefined): layer is LoweredLayer {
  return isLowered(layer) && opFor(layer).output === 'bits';
}

/** The last layer of a lowered model: int32 class scores, with their fixed-point transform and logit bound. */
export type ScoresLayer = Extract<LoweredLayer, { transform: unknown }>;

export function isScoresLayer(layer: LoweredLayer): layer is ScoresLayer {
  return opFor(layer).output === 'scores';
}

/** Packing of a lowered layer's output: [H, W, C], [1, 1, F] for a flat vector. */
export function outputShape(layer: LoweredLayer): Hwc {
  return opFor(layer).outputShape(layer);
}

/**
 * The device's order of the model input (a multi-channel image is HWC on the
 * device, NCHW in the ONNX graph and the data files): for each device position,
 * the index in the model's order; null when they agree. The first layer decides.
 */
export function deviceInputOrder(model: LoweredModel): Int32Array | null {
  const first = model.layers[0];
  return opFor(first).deviceInputOrder?.(first) ?? null;
}

/** The accumulator behind one output feature (what its threshold compares), for explaining differences. */
export function layerAccumulator(layer: LoweredLayer, input: ArrayLike<number>, feature: number): number {
  const op = opFor(layer);
  if (!op.accumulator) throw new Error(`bnnc internal error: lowered op "${layer.kind}" has no accumulator`);
  return op.accumulator(layer, input, feature);
}
