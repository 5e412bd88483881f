/** Per-layer figures of a lowered model: shape, parameters, flash and arena bytes (for demo and inspect). */
import { wordsFor } from '../bitops.ts';
import { layerShapeText } from '../codegen/generate.ts';
import type { LoweredLayer, LoweredModel } from '../ir/types.ts';

export interface LayerSummary {
  index: number;
  name: string;
  kind: LoweredLayer['kind'];
  input: string;
  output: string;
  shape: string;
  params: number;
  flashBytes: number;
  /** Arena bytes live while the layer runs (its input and output activations). */
  arenaBytes: number;
  sources: string[];
}

function inputKind(model: LoweredModel, layer: LoweredLayer): string {
  switch (layer.kind) {
    case 'binarize_input': return model.input.dtype;
    case 'dense_int_b1':
    case 'conv2d_int_b1':
    case 'dense_int_scores': return layer.inputDType;
    default: return 'binary';
  }
}

function constantBytes(model: LoweredModel, layer: LoweredLayer): { params: number; bytes: number } {
  switch (layer.kind) {
    case 'binarize_input': {
      const tBytes = model.input.dtype === 'float32' ? 4 : 2;
      return { params: layer.features, bytes: layer.features * tBytes + 4 * wordsFor(layer.features) };
    }
    case 'dense_int_b1':
    case 'dense_b1':
      return {
        params: layer.inFeatures * layer.outFeatures + layer.outFeatures,
        bytes: 4 * layer.weights.length + 4 * layer.outFeatures + 4 * wordsFor(layer.outFeatures),
      };
    case 'dense_b1_scores':
    case 'dense_int_scores': {
      const transform = layer.transform ? 2 * layer.outFeatures : 0;
      return { params: layer.inFeatures * layer.outFeatures + transform, bytes: 4 * layer.weights.length + 4 * transform };
    }
    case 'conv2d_b1':
    case 'conv2d_int_b1': {
      const oc = layer.outShape[2];
      const params = layer.kernel[0] * layer.kernel[1] * layer.inShape[2] * oc + oc;
      return { params, bytes: 4 * layer.weights.length + 4 * oc + 4 * wordsFor(oc) + CONV_PARAMS_BYTES };
    }
    case 'maxpool_b1':
      return { params: 0, bytes: 0 };
  }
}

/** sizeof(bnn_conv2d_params_t): 6 int16 + 10 int8. */
const CONV_PARAMS_BYTES = 22;

export function summarize(model: LoweredModel): LayerSummary[] {
  return model.layers.map((layer, index) => {
    const plan = model.memory.layers[index];
    const { params, bytes } = constantBytes(model, layer);
    const isScores = layer.kind === 'dense_b1_scores' || layer.kind === 'dense_int_scores';
    return {
      index,
      name: layer.name,
      kind: layer.kind,
      input: inputKind(model, layer),
      output: isScores ? 'int32 scores' : 'binary',
      shape: layerShapeText(layer),
      params,
      flashBytes: bytes,
      arenaBytes: (plan.inputOffset >= 0 ? plan.inputBytes : 0) + (plan.outputOffset >= 0 ? plan.outputBytes : 0) + plan.scratchBytes,
      sources: layer.sources,
    };
  });
}

/** Bytes of model constants (flash) and of the activation arena (RAM), before any code. */
export function modelFootprint(model: LoweredModel): { flashBytes: number; ramBytes: number } {
  return { flashBytes: summarize(model).reduce((s, r) => s + r.flashBytes, 0), ramBytes: model.memory.arenaBytes };
}
