/**
 * Threshold folding against an independent oracle, exhaustively per channel.
 *
 * The oracle is written here from the ONNX operator definitions and
 * onnxruntime's CPU operation order, and shares no code with the importer or
 * the passes: the test keeps the raw parameters it put into the ONNX file and
 * evaluates, in float32 (Math.fround after every operation):
 *   - MatMul of +-1 values: the exact integer dot product;
 *   - BatchNormalization (onnxruntime/core/providers/cpu/nn/batch_norm.h):
 *       inv_std = 1 / sqrt(var + eps); scale = inv_std * gamma;
 *       bias = B - mean * scale; y = x * scale + bias;
 *   - Add/Sub/Mul/Div by a constant: one rounding each (element_wise_ops.cc);
 *   - AveragePool: sum / count (the sum of integer dots is exact);
 *   - an integer first layer: the exact pre-activation a*acc + b*sum(w) rounded
 *     once (the evaluation bnnc folds against, docs/architecture.md);
 *   - Sign with sign(0) = +1 (bnnc's convention; the verifier counts the zeros).
 * The lowered layer's bit is read from its documented semantics:
 * binary `(pop > T) XOR flip`, integer `(acc < T) XOR flip`.
 * Channels are adversarial: zero crossings exactly on lattice points and one
 * float32 step away, negative and zero gamma, zero and tiny variances, huge
 * means and scales, the channel. A chain that is NaN somewhere in the
 * reachable range must be refused.
 */
import { describe, expect, it } from 'vitest';
import { BnncError } from '../../src/errors.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import type { LoweredLayer } from '../../src/ir/types.ts';
import { runPasses } from '../../src/passes/index.ts';
import { buildOnnx, rng, type ModelSpec, type NodeSpec } from '../helpers/onnxBuilder.ts';

const f32 = Math.fround;
const EPS = f32(1e-5);

type Bn = [gamma: number, beta: number, mean: number, variance: number];

function batchNorm(x: number, [g, b, m, v]: Bn): number {
  const invStd = f32(1 / f32(Math.sqrt(f32(v + EPS))));
  const scale = f32(invStd * g);
  const bias = f32(b - f32(m * scale));
  return f32(f32(x * scale) + bias);
}

type Step = { op: 'Add' | 'Sub' | 'Mul' | 'Div'; value: number };

function chain(x: number, steps: Step[]): number {
  return steps.reduce((v, s) => f32(s.op === 'Add' ? v + s.value : s.op === 'Sub' ? v - s.value : s.op === 'Mul' ? v * s.value : v / s.value), x);
}

/**
 * Adversarial batch-norm channels for pre-activations of magnitude up to n;
 * `lattice` draws a reachable pre-activation value (default: a dot in [-n, n], step 2).
 * All parameters are float32 values.
 */
function adversarialBn(n: number, next: () => number, lattice = () => n - 2 * Math.floor(next() * (n + 1))): Bn[] {
  const out: Bn[] = [];
  const add = (g: number, b: number, m: number, v: number) => out.push([f32(g), f32(b), f32(m), f32(v)]);
  for (let k = 0; k < 6; k++) {
    const d = lattice();
    const g = (next() + 0.1) * (k % 2 ? -1 : 1);
    const v = next() * n + 0.01;
    const scale = f32(f32(1 / f32(Math.sqrt(f32(f32(v) + EPS)))) * f32(g));
    // beta = mean*scale - d*scale (+ a few ulps): the output crosses 0 at, or one float32 step from, the lattice point d.
    const m = f32((next() - 0.5) * n);
    const exact = f32(f32(m * scale) - f32(d * scale));
    for (const ulps of [0, 1, -1]) add(g, nextFloat32(exact, ulps), m, v);
  }
  add(1.432, 2.047013521194458, 3.27, 86.176); // the channel
  add(-(next() + 0.1), next() - 0.5, next() * 4 - 2, next() * 10 + 0.01); // negative gamma: flip
  add(0, next() - 0.5, 0, 1); // zero gamma: constant channel
  add(-0, -(next() + 0.1), 0, 1); // negative zero gamma, negative beta
  add(next() + 0.1, next() * 1e-3, 0.5, 0); // zero variance: epsilon dominates
  add(1e-3, next(), 1, 1e-9); // tiny gamma and variance
  add(next() + 0.5, 0, 0, 1); // threshold at dot 0: sign(0)
  add(next() + 0.5, next(), 1e6, 1); // huge mean: constant
  add(3e4, next(), lattice(), 1e-12); // huge scale: steep, still finite
  add(next() + 0.5, next() - 0.5, lattice() + 0.5, 1e-30); // crossing between lattice points, tiny variance
  add(next() * 2 - 1, next() * 8 - 4, next() * 6 - 3, next() * 40); // ordinary
  return out;
}

/** The float32 `ulps` steps above (or below) x. */
function nextFloat32(x: number, ulps: number): number {
  if (ulps === 0) return x;
  const buf = new DataView(new ArrayBuffer(4));
  buf.setFloat32(0, x);
  let bits = buf.getInt32(0);
  if (x === 0) { buf.setInt32(0, Math.abs(ulps)); return ulps > 0 ? buf.getFloat32(0) : -buf.getFloat32(0); }
  bits += (x > 0 ? 1 : -1) * ulps;
  buf.setInt32(0, bits);
  return buf.getFloat32(0);
}

function bnInitializers(prefix: string, channels: Bn[]): ModelSpec['initializers'] {
  return Object.fromEntries(['g', 'b', 'm', 'v'].map((p, i) => [`${prefix}${p}`, { dims: [channels.length], data: channels.map((c) => c[i]) }]));
}

function lower(name: string, spec: ModelSpec): LoweredLayer[] {
  return runPasses(importOnnx(name, {}, buildOnnx(spec))).layers;
}

/** A binarized input [1, n] -> Sign -> MatMul(+-1) -> (BN | chain) -> Sign -> MatMul head. Returns the weights too. */
function binaryLayerSpec(n: number, out: number, next: () => number, middle: (x: string, nodes: NodeSpec[], init: NonNullable<ModelSpec['initializers']>) => string): { spec: ModelSpec; w: number[] } {
  const w = Array.from({ length: n * out }, () => (next() < 0.5 ? -1 : 1));
  const init: NonNullable<ModelSpec['initializers']> = { w: { dims: [n, out], data: w }, head: { dims: [out, 2], data: Array.from({ length: out * 2 }, () => (next() < 0.5 ? -1 : 1)) } };
  const nodes: NodeSpec[] = [{ op: 'Sign', inputs: ['input'], outputs: ['x'] }, { op: 'MatMul', inputs: ['x', 'w'], outputs: ['dot'], name: 'fc' }];
  const y = middle('dot', nodes, init);
  nodes.push({ op: 'Sign', inputs: [y], outputs: ['h'] }, { op: 'MatMul', inputs: ['h', 'head'], outputs: ['logits'] });
  return { spec: { inputShape: [1, n], nodes, initializers: init, output: 'logits' }, w };
}

/** Every popcount of every channel: the lowered dense_b1 bit against the oracle's sign. */
function checkBinaryDense(layer: LoweredLayer, n: number, oracle: (o: number, dot: number) => number): number {
  if (layer.kind !== 'dense_b1') throw new Error(`expected dense_b1, got ${layer.kind}`);
  expect(layer.inFeatures).toBe(n);
  let checked = 0;
  for (let o = 0; o < layer.outFeatures; o++) {
    for (let pop = 0; pop <= n; pop++) {
      const y = oracle(o, n - 2 * pop);
      const bit = ((pop > layer.threshold[o] ? 1 : 0) ^ layer.flip[o]);
      expect(bit, `channel ${o}, popcount ${pop}, oracle ${y}`).toBe(y < 0 ? 1 : 0);
      checked++;
    }
  }
  return checked;
}

describe('folded thresholds = float32 oracle for every reachable accumulator', () => {
  for (const n of [1, 7, 31, 32, 33, 100, 200]) {
    it(`binary dense layer of ${n} inputs, adversarial batch-norms`, () => {
      const next = rng(n * 7 + 1);
      const channels = adversarialBn(n, next);
      const { spec } = binaryLayerSpec(n, channels.length, next, (x, nodes, init) => {
        Object.assign(init, bnInitializers('bn', channels));
        nodes.push({ op: 'BatchNormalization', inputs: [x, 'bng', 'bnb', 'bnm', 'bnv'], outputs: ['y'], attrs: { epsilon: 1e-5 } });
        return 'y';
      });
      const layers = lower(`bn-${n}.onnx`, spec);
      expect(checkBinaryDense(layers[1], n, (o, dot) => batchNorm(dot, channels[o]))).toBe(channels.length * (n + 1));
    });
  }

  it('binary dense layer followed by Mul/Div/Add/Sub chains (per channel and scalar constants)', () => {
    const n = 45;
    const next = rng(99);
    const out = 24;
    const perChannel = (scale: number, offset: number) => Array.from({ length: out }, () => f32((next() - offset) * scale));
    const steps: { op: Step['op']; values: number[] }[] = [
      { op: 'Mul', values: perChannel(3, 0.3) },
      { op: 'Add', values: perChannel(20, 0.5) },
      { op: 'Div', values: perChannel(7, 0.5).map((v) => v || 1) },
      { op: 'Sub', values: [f32(0.3)] },
      { op: 'Mul', values: [f32(1e-3)] },
    ];
    const { spec } = binaryLayerSpec(n, out, next, (x, nodes, init) => {
      steps.forEach((s, i) => {
        init[`k${i}`] = { dims: s.values.length === 1 ? [] : [out], data: s.values };
        nodes.push({ op: s.op, inputs: [i === 0 ? x : `c${i - 1}`, `k${i}`], outputs: [`c${i}`] });
      });
      return `c${steps.length - 1}`;
    });
    const layers = lower('chain.onnx', spec);
    const oracle = (o: number, dot: number) => chain(dot, steps.map((s) => ({ op: s.op, value: s.values[s.values.length === 1 ? 0 : o] })));
    expect(checkBinaryDense(layers[1], n, oracle)).toBe(out * (n + 1));
  });

  it('a chain that is NaN inside the reachable range is refused (Mul(1e38) -> Mul(0))', () => {
    const next = rng(5);
    const { spec } = binaryLayerSpec(32, 2, next, (x, nodes, init) => {
      init.big = { dims: [], data: [1e38] };
      init.zero = { dims: [], data: [0] };
      nodes.push({ op: 'Mul', inputs: [x, 'big'], outputs: ['p'] }, { op: 'Mul', inputs: ['p', 'zero'], outputs: ['q'] });
      return 'q';
    });
    expect(() => lower('nan.onnx', spec)).toThrow(BnncError);
    // The oracle agrees that it is NaN for large dots.
    expect(chain(32, [{ op: 'Mul', value: f32(1e38) }, { op: 'Mul', value: 0 }])).toBeNaN();
  });

  for (const dtype of ['uint8', 'int8'] as const) {
    it(`${dtype} first layer: every accumulator value of every channel`, () => {
      const n = 6;
      const next = rng(dtype === 'uint8' ? 17 : 18);
      const [lo, hi] = dtype === 'uint8' ? [0, 255] : [-128, 127];
      // uint8: x / 255; int8: x * (1/128) + 0.25 (an offset, folded as b * sum(w)).
      const scaleSteps: Step[] = dtype === 'uint8' ? [{ op: 'Div', value: 255 }] : [{ op: 'Mul', value: f32(1 / 128) }, { op: 'Add', value: 0.25 }];
      const a = dtype === 'uint8' ? 1 / 255 : f32(1 / 128);
      const b = dtype === 'uint8' ? 0 : 0.25;
      const maxDot = n * Math.max(Math.abs(lo * a + b), Math.abs(hi * a + b));
      // Zero crossings on (and next to) reachable pre-activations a*acc + b*sum(w), sum(w) = 0 for simplicity of the draw.
      const reachable = () => (dtype === 'uint8' ? f32(Math.round((next() - 0.5) * n * 255) / 255) : f32(a * Math.round((next() - 0.5) * n * 255)));
      const channels = adversarialBn(Math.ceil(maxDot), next, reachable);
      const out = channels.length;
      const w = Array.from({ length: n * out }, () => (next() < 0.5 ? -1 : 1));
      const nodes: NodeSpec[] = [];
      const init: NonNullable<ModelSpec['initializers']> = {
        w: { dims: [n, out], data: w }, head: { dims: [out, 2], data: Array.from({ length: out * 2 }, () => (next() < 0.5 ? -1 : 1)) }, ...bnInitializers('bn', channels),
      };
      let x = 'input';
      scaleSteps.forEach((s, i) => {
        init[`s${i}`] = { dims: [], data: [s.value] };
        nodes.push({ op: s.op, inputs: [x, `s${i}`], outputs: [`scaled${i}`] });
        x = `scaled${i}`;
      });
      nodes.push({ op: 'MatMul', inputs: [x, 'w'], outputs: ['dot'] });
      nodes.push({ op: 'BatchNormalization', inputs: ['dot', 'bng', 'bnb', 'bnm', 'bnv'], outputs: ['y'], attrs: { epsilon: 1e-5 } });
      nodes.push({ op: 'Sign', inputs: ['y'], outputs: ['h'] }, { op: 'MatMul', inputs: ['h', 'head'], outputs: ['logits'] });
      const layer = lower(`int-${dtype}.onnx`, { inputShape: [1, n], nodes, initializers: init, output: 'logits', metadata: { 'bnnc.input_type': dtype } })[0];
      if (layer.kind !== 'dense_int_b1') throw new Error(`expected dense_int_b1, got ${layer.kind}`);
      let checked = 0;
      for (let o = 0; o < out; o++) {
        let min = 0; let max = 0; let rowSum = 0;
        for (let i = 0; i < n; i++) {
          const wi = w[i * out + o];
          rowSum += wi;
          if (wi > 0) { min += lo; max += hi; } else { min -= hi; max -= lo; }
        }
        for (let acc = min; acc <= max; acc++) {
          // The exact pre-activation sum_i w_i (a v_i + b) = a*acc + b*sum(w), rounded once.
          const pre = dtype === 'uint8' ? f32(acc / 255) : f32(a * acc + b * rowSum);
          const y = batchNorm(pre, channels[o]);
          const bit = (acc < layer.threshold[o] ? 1 : 0) ^ layer.flip[o];
          expect(bit, `channel ${o}, acc ${acc}, oracle ${y}`).toBe(y < 0 ? 1 : 0);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(out * 255);
    });
  }

  it('binary convolution with an average pool: every window sum of every channel', () => {
    const next = rng(23);
    const [c, k, pool] = [5, 3, 2];
    const taps = c * k * k;
    const count = pool * pool;
    const channels = adversarialBn(taps, next);
    const oc = channels.length;
    const init: NonNullable<ModelSpec['initializers']> = {
      cw: { dims: [oc, c, k, k], data: Array.from({ length: oc * taps }, () => (next() < 0.5 ? -1 : 1)) },
      dw: { dims: [oc, 2], data: Array.from({ length: oc * 2 }, () => (next() < 0.5 ? -1 : 1)) }, ...bnInitializers('bn', channels),
    };
    const nodes: NodeSpec[] = [
      { op: 'Sign', inputs: ['input'], outputs: ['x'] },
      { op: 'Conv', inputs: ['x', 'cw'], outputs: ['y'], attrs: { kernel_shape: [k, k] } },
      { op: 'AveragePool', inputs: ['y'], outputs: ['p'], attrs: { kernel_shape: [pool, pool], strides: [pool, pool] } },
      { op: 'BatchNormalization', inputs: ['p', 'bng', 'bnb', 'bnm', 'bnv'], outputs: ['n'], attrs: { epsilon: 1e-5 } },
      { op: 'Sign', inputs: ['n'], outputs: ['h'] },
      { op: 'Flatten', inputs: ['h'], outputs: ['f'] },
      { op: 'MatMul', inputs: ['f', 'dw'], outputs: ['logits'] },
    ];
    const layer = lower('conv-avg.onnx', { inputShape: [1, c, 4, 4], nodes, initializers: init, output: 'logits' })[1];
    if (layer.kind !== 'conv2d_b1') throw new Error(`expected conv2d_b1, got ${layer.kind}`);
    for (let o = 0; o < oc; o++) {
      // Window sums of `count` dots of `taps` +-1 products; every integer in range is checked (a superset of the reachable ones).
      for (let s = -taps * count; s <= taps * count; s++) {
        const y = batchNorm(f32(s / count), channels[o]);
        const bit = (s < layer.threshold[o] ? 1 : 0) ^ layer.flip[o];
        expect(bit, `channel ${o}, window sum ${s}, oracle ${y}`).toBe(y < 0 ? 1 : 0);
      }
    }
  });
});
