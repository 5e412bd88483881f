/**
 * Float reference for native .bnn.json models: runs the float IR layers (as
 * imported, before any pass) with float32 rounding after every operation. It
 * shares no code with the passes or the emulator.
 */
import type { FloatLayer, Model } from '../ir/types.ts';

const f32 = Math.fround;

function affine(x: Float64Array, layer: Extract<FloatLayer, { kind: 'affine' }>): Float64Array {
  return x.map((v, f) => layer.steps.reduce((acc, s) => {
    const c = s.value.length === 1 ? s.value[0] : s.value[f];
    return s.op === 'mul' ? f32(acc * c) : s.op === 'add' ? f32(acc + c) : s.op === 'sub' ? f32(acc - c) : f32(acc / c);
  }, f32(v)));
}

function dense(x: Float64Array, layer: Extract<FloatLayer, { kind: 'dense' }>): Float64Array {
  const out = new Float64Array(layer.outFeatures);
  for (let o = 0; o < layer.outFeatures; o++) {
    let acc = 0;
    for (let i = 0; i < layer.inFeatures; i++) acc = f32(acc + f32(layer.weight[o * layer.inFeatures + i] * x[i]));
    out[o] = layer.bias ? f32(acc + layer.bias[o]) : acc;
  }
  return out;
}

/** Runs the float layers; returns every sign layer's input and output, and the final values. */
export function runFloatIr(model: Model, input: Float64Array): { signs: { pre: Float64Array; out: Float64Array }[]; logits: Float64Array } {
  let x: Float64Array<ArrayBufferLike> = input.map(f32);
  const signs: { pre: Float64Array; out: Float64Array }[] = [];
  for (const layer of model.layers as FloatLayer[]) {
    switch (layer.kind) {
      case 'affine': x = affine(x, layer); break;
      case 'dense': x = dense(x, layer); break;
      case 'clip': x = x.map((v) => Math.min(Math.max(v, layer.min), layer.max)); break;
      case 'sign': {
        const out = x.map((v) => (v > 0 ? 1 : v < 0 ? -1 : layer.atZero === 'plus' ? 1 : 0));
        signs.push({ pre: x, out });
        x = out;
        break;
      }
      case 'argmax': break;
    }
  }
  return { signs, logits: x };
}
