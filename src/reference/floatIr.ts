/**
 * Float reference for native .bnn.json models: runs the float IR layers (as
 * imported, before any pass) with float32 rounding after every operation, in
 * bnnc's feature order (NHWC). It shares no code with the passes or the emulator.
 */
import type { AvgPoolLayer, Conv2dLayer, FloatLayer, MaxPoolLayer, Model } from '../ir/types.ts';

const f32 = Math.fround;
type Vec = Float64Array<ArrayBufferLike>;

function affine(x: Vec, layer: Extract<FloatLayer, { kind: 'affine' }>): Vec {
  return x.map((v, f) => layer.steps.reduce((acc, s) => {
    const c = s.value[f % s.value.length];
    return s.op === 'mul' ? f32(acc * c) : s.op === 'add' ? f32(acc + c) : s.op === 'sub' ? f32(acc - c) : f32(acc / c);
  }, f32(v)));
}

function dense(x: Vec, layer: Extract<FloatLayer, { kind: 'dense' }>): Vec {
  const out = new Float64Array(layer.outFeatures);
  for (let o = 0; o < layer.outFeatures; o++) {
    let acc = 0;
    for (let i = 0; i < layer.inFeatures; i++) acc = f32(acc + f32(layer.weight[o * layer.inFeatures + i] * x[i]));
    out[o] = layer.bias ? f32(acc + layer.bias[o]) : acc;
  }
  return out;
}

const PAD_VALUE = { zero: 0, plus: 1, minus: -1 } as const;

/**
 * Input of the first layer is the model input in CHW order; inside the network NHWC. For C = 1 they agree.
 * Each output channel sums its group's channels over its (dilated) taps, in (ky, kx, c) order.
 */
function conv(x: Vec, layer: Conv2dLayer): Vec {
  const [h, w, c] = layer.inShape;
  const [oh, ow, oc] = layer.outShape;
  const [kh, kw] = layer.kernel;
  const groups = layer.groups ?? 1;
  const [dh, dw] = layer.dilation ?? [1, 1];
  const groupC = c / groups;
  const groupOc = oc / groups;
  const out = new Float64Array(oh * ow * oc);
  for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let o = 0; o < oc; o++) {
    const first = Math.floor(o / groupOc) * groupC;
    let acc = 0;
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = y * layer.stride[0] - layer.pads[0] + ky * dh;
      const ix = xx * layer.stride[1] - layer.pads[1] + kx * dw;
      const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
      for (let gc = 0; gc < groupC; gc++) {
        const v = inside ? x[(iy * w + ix) * c + first + gc] : PAD_VALUE[layer.padding];
        acc = f32(acc + f32(layer.weight[((o * kh + ky) * kw + kx) * groupC + gc] * v));
      }
    }
    out[(y * ow + xx) * oc + o] = layer.bias ? f32(acc + layer.bias[o]) : acc;
  }
  return out;
}

function maxpool(x: Vec, layer: MaxPoolLayer): Vec {
  const [h, w, c] = layer.inShape;
  const [oh, ow] = layer.outShape;
  const [top, left] = layer.pads ?? [0, 0, 0, 0];
  const out = new Float64Array(oh * ow * c);
  for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let ch = 0; ch < c; ch++) {
    let best = -Infinity;
    for (let ky = 0; ky < layer.kernel[0]; ky++) for (let kx = 0; kx < layer.kernel[1]; kx++) {
      const iy = y * layer.stride[0] - top + ky;
      const ix = xx * layer.stride[1] - left + kx;
      if (iy >= 0 && iy < h && ix >= 0 && ix < w) best = Math.max(best, x[(iy * w + ix) * c + ch]);
    }
    out[(y * ow + xx) * c + ch] = best;
  }
  return out;
}

function avgpool(x: Vec, layer: AvgPoolLayer): Vec {
  const [, w, c] = layer.inShape;
  const [oh, ow] = layer.outShape;
  const count = layer.kernel[0] * layer.kernel[1];
  const out = new Float64Array(oh * ow * c);
  for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let ky = 0; ky < layer.kernel[0]; ky++) for (let kx = 0; kx < layer.kernel[1]; kx++) {
      sum = f32(sum + x[((y * layer.stride[0] + ky) * w + xx * layer.stride[1] + kx) * c + ch]);
    }
    out[(y * ow + xx) * c + ch] = f32(sum / count);
  }
  return out;
}

/** One float32 evaluation per float layer kind; the table's type demands one for every kind. */
const RUN: { [K in FloatLayer['kind']]: (x: Vec, layer: Extract<FloatLayer, { kind: K }>) => Vec } = {
  affine,
  dense,
  conv2d: conv,
  maxpool,
  avgpool,
  clip: (x, layer) => x.map((v) => Math.min(Math.max(v, layer.min), layer.max)),
  sign: (x, layer) => x.map((v) => (v > 0 ? 1 : v < 0 ? -1 : layer.atZero === 'plus' ? 1 : 0)),
  argmax: (x) => x,
};

/** Runs the float layers; returns every layer's output (with the value its sign saw) by layer name, and the final values. */
export function runFloatIr(model: Model, input: Float64Array): { outputs: Map<string, { pre: Vec; out: Vec }>; logits: Vec } {
  let x: Vec = input.map(f32);
  const outputs = new Map<string, { pre: Vec; out: Vec }>();
  for (const layer of model.layers as FloatLayer[]) {
    const before = x;
    const run = RUN[layer.kind] as ((x: Vec, layer: FloatLayer) => Vec) | undefined;
    if (!run) throw new Error(`bnnc internal error: the float reference has no "${layer.kind}" layer (layer "${layer.name}")`);
    x = run(x, layer);
    // Looked up by the source node a lowered layer ends with; the sign comes after its affine, so it wins.
    for (const key of [layer.name, ...layer.sources]) outputs.set(key, { pre: before, out: x });
  }
  return { outputs, logits: x };
}
