/** Per-layer figures of a lowered model: shape, parameters, flash and arena bytes (for demo and inspect); each op gives its own (src/ops/<kind>/index.ts). */
import type { LoweredLayer, LoweredModel } from '../ir/types.ts';
import { opFor } from '../ops/registry.ts';

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

export function summarize(model: LoweredModel): LayerSummary[] {
  return model.layers.map((layer, index) => {
    const plan = model.memory.layers[index];
    const op = opFor(layer);
    const { params, bytes } = op.constants(layer, model);
    return {
      index,
      name: layer.name,
      kind: layer.kind,
      input: op.inputKind(layer, model),
      output: op.output === 'scores' ? 'int32 scores' : 'binary',
      shape: op.shapeText(layer),
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
