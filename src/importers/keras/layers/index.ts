/** The Keras layer classes bnnc reads, one file each. */
import { activationHandler } from './activation.ts';
import { averagePooling2dHandler } from './averagePooling2d.ts';
import { batchNormalizationHandler } from './batchNormalization.ts';
import { conv2dHandler } from './conv2d.ts';
import { denseHandler } from './dense.ts';
import { flattenHandler } from './flatten.ts';
import { globalAveragePooling2dHandler } from './globalAveragePooling2d.ts';
import { inputLayerHandler } from './inputLayer.ts';
import { maxPooling2dHandler } from './maxPooling2d.ts';
import { quantConv2dHandler } from './quantConv2d.ts';
import { quantDenseHandler } from './quantDense.ts';
import { quantDepthwiseConv2dHandler } from './quantDepthwiseConv2d.ts';
import { rescalingHandler } from './rescaling.ts';
import { reshapeHandler } from './reshape.ts';
import type { LayerHandler } from './types.ts';

const HANDLERS: LayerHandler[] = [
  inputLayerHandler, rescalingHandler, quantDenseHandler, quantConv2dHandler, quantDepthwiseConv2dHandler, denseHandler, conv2dHandler,
  batchNormalizationHandler, maxPooling2dHandler, averagePooling2dHandler, globalAveragePooling2dHandler, flattenHandler, reshapeHandler,
  activationHandler,
];

/** Keras' short aliases for the same classes. */
const ALIASES: Record<string, string> = { MaxPool2D: 'MaxPooling2D', AvgPool2D: 'AveragePooling2D', GlobalAvgPool2D: 'GlobalAveragePooling2D' };

const BY_CLASS = new Map(HANDLERS.map((h) => [h.className, h]));

export function findLayerHandler(className: string): LayerHandler | undefined {
  return BY_CLASS.get(ALIASES[className] ?? className);
}

export const SUPPORTED_LAYERS = 'QuantDense, QuantConv2D, BatchNormalization, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, '
  + 'Flatten, Reshape (to a flat vector), InputLayer, Rescaling, Activation (linear; softmax last), Dense/Conv2D with -1/+1 kernels';
