/**
 * Random binary networks as ONNX, for the differential sweep: dense and conv,
 * binarized float or uint8/int8 first layers, widths 1-200, adversarial
 * batch-norms (zero crossings exactly on reachable values and one float32 step
 * away, negative and zero gamma, tiny variances, huge means), biases, pools and
 * scaled logits. Every parameter is a float32 value.
 */
import { buildOnnx, rng, type ModelSpec, type NodeSpec } from './onnxBuilder.ts';

const f32 = Math.fround;

export type FirstLayer = 'binarized' | 'uint8' | 'int8';

export interface RandomModel {
  bytes: Uint8Array;
  /** Input values per sample. */
  features: number;
  first: FirstLayer;
  /** One line, for failure messages. */
  description: string;
}

type Init = NonNullable<ModelSpec['initializers']>;

/** The float32 `ulps` steps above (or below) x. */
function nextFloat32(x: number, ulps: number): number {
  if (ulps === 0 || x === 0) return x;
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  view.setInt32(0, view.getInt32(0) + (x > 0 ? ulps : -ulps));
  return view.getFloat32(0);
}

/** onnxruntime's batch-norm output for x, to place zero crossings exactly (its CPU order, see batch_norm.h). */
function batchNormAt(x: number, gamma: number, beta: number, mean: number, variance: number): number {
  const s = bnScale(gamma, variance);
  return f32(f32(x * s) + f32(beta - f32(mean * s)));
}

/** onnxruntime's batch-norm scale for (gamma, var). */
function bnScale(gamma: number, variance: number): number {
  return f32(f32(1 / f32(Math.sqrt(f32(variance + f32(1e-5))))) * gamma);
}

/**
 * One batch-norm channel. `reachable` draws a value the pre-activation can
 * take (a dot product, a window sum's average, a scaled accumulator); `spread`
 * is its typical magnitude.
 */
function adversarialChannel(next: () => number, reachable: () => number, spread: number, exactZeros: boolean): [number, number, number, number] {
  const kind = Math.floor(next() * 10);
  const v = f32(next() * spread + 0.01);
  const g = f32((next() + 0.05) * (next() < 0.3 ? -1 : 1));
  switch (kind) {
    case 0: case 1: case 2: case 3: { // zero crossing exactly on a reachable value, or a float32 step or two beside it
      const m = f32((next() - 0.5) * spread);
      const d = reachable();
      const s = bnScale(g, v);
      const start = f32(f32(m * s) - f32(d * s));
      const onIt = exactZeros && next() < 0.1; // ONNX Sign then sees 0: a counted sign(0) tie
      const side = next() < 0.5 ? -1 : 1;
      // beta's ulp can be far below the one of beta - mean*scale: widen the step until the output at d is (or is not) 0.
      const steps = [0, 1, 2, 3, 4, 8, 16, 32, 64, 128, 256];
      const candidates = onIt ? steps.flatMap((u) => [u, -u]).map((u) => nextFloat32(start, u)) : steps.slice(1).map((u) => nextFloat32(start, side * u));
      const beta = candidates.find((b) => (batchNormAt(d, g, b, m, v) === 0) === onIt) ?? candidates[0];
      return [g, beta, m, v];
    }
    case 4: return [0, f32(next() - 0.5), 0, 1]; // zero gamma: constant channel
    case 5: return [g, f32(next() - 0.5), f32(reachable()), f32(next() * 1e-9)]; // tiny variance: steep
    case 6: return [g, f32(next()), f32((next() < 0.5 ? -1 : 1) * 1e7), v]; // huge mean: constant in practice
    default: return [g, f32((next() - 0.5) * 4), f32((next() - 0.5) * spread), v]; // ordinary
  }
}

class Builder {
  readonly nodes: NodeSpec[] = [];
  readonly init: Init = {};
  private count = 0;
  constructor(readonly next: () => number, readonly exactZeros: boolean) {}

  name(prefix: string): string { return `${prefix}${this.count++}`; }

  constant(dims: number[], data: number[]): string {
    const name = this.name('k');
    this.init[name] = { dims, data: data.map(f32) };
    return name;
  }

  node(op: string, inputs: string[], attrs?: NodeSpec['attrs']): string {
    const out = this.name(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], name: out, attrs });
    return out;
  }

  signs(n: number): number[] {
    return Array.from({ length: n }, () => (this.next() < 0.5 ? -1 : 1));
  }

  /**
   * `lattice`: every value the pre-activation can take, when it is cheap to list:
   * without exactZeros, a channel that is exactly 0 on one of them is drawn again.
   */
  batchNorm(x: string, channels: number, reachable: () => number, spread: number, lattice: number[] = []): string {
    const draw = () => adversarialChannel(this.next, reachable, spread, this.exactZeros);
    const zeroSomewhere = (p: number[]) => lattice.some((d) => batchNormAt(d, p[0], p[1], p[2], p[3]) === 0);
    const params = Array.from({ length: channels }, () => {
      let p = draw();
      for (let tries = 0; !this.exactZeros && tries < 50 && zeroSomewhere(p); tries++) p = draw();
      return p;
    });
    const [g, b, m, v] = [0, 1, 2, 3].map((i) => this.constant([channels], params.map((p) => p[i])));
    return this.node('BatchNormalization', [x, g, b, m, v], { epsilon: 1e-5 });
  }
}

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

function width(next: () => number): number {
  return next() < 0.2 ? 1 + Math.floor(next() * 8) : 1 + Math.floor(next() * 200);
}

/** The input prologue: returns the tensor the first layer reads and the value it scales an input by. */
function prologue(b: Builder, first: FirstLayer, allowOffset: boolean): { x: string; scale: number; offset: number } {
  if (first === 'binarized') return { x: b.node('Sign', [b.node('Sub', ['input', b.constant([], [0.5])])]), scale: 1, offset: 0 };
  if (first === 'uint8') return { x: b.node('Div', ['input', b.constant([], [255])]), scale: 1 / 255, offset: 0 };
  const scale = f32(1 / 128);
  const x = b.node('Mul', ['input', b.constant([], [scale])]);
  if (!allowOffset) return { x, scale, offset: 0 };
  return { x: b.node('Add', [x, b.constant([], [0.25])]), scale, offset: 0.25 };
}

/** The last layer: MatMul -> BN, optionally times a scale (argmax-preserving, 1e-9 .. 1e9). */
function head(b: Builder, x: string, features: number, classes: number): string {
  let y = b.node('MatMul', [x, b.constant([features, classes], b.signs(features * classes))]);
  y = b.batchNorm(y, classes, () => features - 2 * Math.floor(b.next() * (features + 1)), features);
  if (b.next() < 0.5) y = b.node('Mul', [y, b.constant([], [pick(b.next, [1e-9, 1e-3, 0.1, 7, 1e3, 1e9])])]);
  return y;
}

/** `exactZeros`: some batch-norm channels cross zero exactly on a reachable value (ONNX Sign then gives 0: a sign(0) tie). */
export function randomDense(seed: number, first: FirstLayer, exactZeros = true): RandomModel {
  const next = rng(seed);
  const b = new Builder(next, exactZeros);
  const inputs = width(next);
  const { x: x0, scale } = prologue(b, first, true);
  let x = x0;
  let features = inputs;
  const hidden = Array.from({ length: 1 + Math.floor(next() * 2) }, () => width(next));
  hidden.forEach((n, l) => {
    const w = b.constant([features, n], b.signs(features * n));
    let y = b.node('MatMul', [x, w]);
    if (next() < 0.3) y = b.node('Add', [y, b.constant([n], Array.from({ length: n }, () => (next() - 0.5) * 3))]); // bias as its own node: exact
    const fanIn = features;
    // Reachable pre-activations: dots of +-1 (step 2), or scaled integer sums for an integer first layer.
    const reachable = l === 0 && first !== 'binarized'
      ? () => f32(scale * Math.round((next() - 0.5) * fanIn * 255))
      : () => fanIn - 2 * Math.floor(next() * (fanIn + 1));
    const spread = l === 0 && first !== 'binarized' ? fanIn * 0.5 : fanIn;
    const lattice = l === 0 && first !== 'binarized' ? [] : range(-fanIn, fanIn, 2);
    x = b.node('Sign', [b.batchNorm(y, n, reachable, spread, lattice)]);
    features = n;
  });
  const classes = 2 + Math.floor(next() * 9);
  const out = head(b, x, features, classes);
  return {
    bytes: buildOnnx({ inputShape: [1, inputs], nodes: b.nodes, initializers: b.init, output: out, metadata: first === 'binarized' ? {} : { 'bnnc.input_type': first } }),
    features: inputs, first,
    description: `dense ${first} ${[inputs, ...hidden, classes].join('-')}`,
  };
}

export function randomConv(seed: number, first: FirstLayer, exactZeros = true): RandomModel {
  const next = rng(seed);
  const b = new Builder(next, exactZeros);
  let c = first === 'binarized' ? 1 + Math.floor(next() * 3) : 1; // integer conv inputs are single-channel
  let h = 4 + Math.floor(next() * 7);
  let w = 4 + Math.floor(next() * 7);
  const inputShape = [1, c, h, w];
  const { x: x0, scale } = prologue(b, first, false);
  let x = x0;
  const convs = 1 + Math.floor(next() * 2);
  const parts: string[] = [];
  for (let l = 0; l < convs; l++) {
    const oc = next() < 0.3 ? 1 + Math.floor(next() * 8) : 1 + Math.floor(next() * 64);
    const k = Math.min(1 + Math.floor(next() * 3), h, w);
    const pad = k > 1 && next() < 0.5 ? 1 : 0;
    const bias = next() < 0.3;
    const inputs = [x, b.constant([oc, c, k, k], b.signs(oc * c * k * k))];
    if (bias) inputs.push(b.constant([oc], Array.from({ length: oc }, () => (next() - 0.5) * 2)));
    let y = b.node('Conv', inputs, { kernel_shape: [k, k], pads: [pad, pad, pad, pad] });
    h = h + 2 * pad - k + 1; w = w + 2 * pad - k + 1;
    const taps = c * k * k;
    let reachable = first !== 'binarized' && l === 0 ? () => f32(scale * Math.round((next() - 0.5) * taps * 255)) : () => taps - 2 * Math.floor(next() * (taps + 1));
    const pool = h >= 2 && w >= 2 ? pick(next, ['none', 'none', 'max', 'avg', 'after'] as const) : 'none';
    if (pool === 'max' || pool === 'avg') {
      y = b.node(pool === 'max' ? 'MaxPool' : 'AveragePool', [y], { kernel_shape: [2, 2], strides: [2, 2] });
      h = Math.floor(h / 2); w = Math.floor(w / 2);
      if (pool === 'avg' && !bias) { const r = reachable; reachable = () => f32((r() + r() + r() + r()) / 4); }
    }
    // Border positions see fewer taps: every integer dot in [-taps, taps]; an average pool divides sums of 4.
    const lattice = first !== 'binarized' && l === 0 ? [] : pool === 'avg' ? range(-4 * taps, 4 * taps, 1).map((v) => f32(v / 4)) : range(-taps, taps, 1);
    x = b.node('Sign', [b.batchNorm(y, oc, reachable, first !== 'binarized' && l === 0 ? taps * 0.5 : taps, bias ? [] : lattice)]);
    if (pool === 'after') {
      x = b.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
      h = Math.floor(h / 2); w = Math.floor(w / 2);
    }
    parts.push(`c${oc}k${k}p${pad}${bias ? 'b' : ''}${pool === 'none' ? '' : `-${pool}`}`);
    c = oc;
    if (h < 1 || w < 1) break;
  }
  x = b.node('Flatten', [x], { axis: 1 });
  const classes = 2 + Math.floor(next() * 9);
  const out = head(b, x, c * h * w, classes);
  return {
    bytes: buildOnnx({ inputShape, nodes: b.nodes, initializers: b.init, output: out, metadata: first === 'binarized' ? {} : { 'bnnc.input_type': first } }),
    features: inputShape[1] * inputShape[2] * inputShape[3], first,
    description: `conv ${first} ${inputShape.slice(1).join('x')} ${parts.join(' ')} -> ${classes}`,
  };
}

/** Random samples for a model's input: floats in [0, 1) for a binarized input, integers of the type otherwise. */
export function randomSamples(model: RandomModel, samples: number, seed: number): Float64Array {
  const next = rng(seed);
  return Float64Array.from({ length: samples * model.features }, () => {
    if (model.first === 'binarized') return f32(next());
    return model.first === 'uint8' ? Math.floor(next() * 256) : Math.floor(next() * 256) - 128;
  });
}
