/**
 * Float reference for Larq models (.h5, .keras): an interpreter of the parsed
 * Keras layers with Larq's documented inference semantics, independent of the
 * importer's IR translation and of the passes (it reads the parsed config and
 * weights, src/importers/keras/layers/types.ts):
 *   - input_quantizer first, then padding with pad_values (larq/layers_base.py:
 *     BaseLayer.call quantizes, QuantizerBaseConv.call pads the quantized input);
 *   - sign(x) = -1 for x < 0, else +1 (larq.math.sign), for activations and
 *     latent kernels alike; MagnitudeAwareSign = mean|w| per output channel
 *     (float64 sum, one rounding) times the sign, applied to the dot of the signs;
 *   - grouped Conv2D (groups), DepthwiseConv2D (output channel c * depth_multiplier + m
 *     reads input channel c; MagnitudeAwareSign per multiplier, the kernel's last axis)
 *     and dilation_rate (taps dilation apart) read from the stored kernel layouts;
 *   - sums in float32 in kernel order (exact for -1/+1 inputs);
 *   - BatchNormalization in float32 in TensorFlow's order
 *     (tensorflow/python/ops/nn_impl.py batch_normalization):
 *     inv = rsqrt(var + eps) * gamma; y = x * inv + (beta - mean * inv);
 *   - the final softmax is left out (monotone): the logits are its input.
 * A declared input mapping (--input-scale/--input-zero-point) is applied first,
 * as the same two float32 steps the importer declares.
 */
import { invariant } from '../errors.ts';
import type { LoweredModel, Model } from '../ir/types.ts';
import { mapDeviceInput } from '../importers/inputMapping.ts';
import { readKerasModel } from '../importers/keras/import.ts';
import { readSourceAgain } from './sourceFile.ts';
import type { BatchNormSpec, Conv2dSpec, DenseSpec, LayerSpec, PoolSpec } from '../importers/keras/layers/types.ts';
import type { Quantizer } from '../importers/keras/quantizers.ts';
import type { Reference, ReferenceSample } from './index.ts';

const f32 = Math.fround;
type Vec = Float64Array;
type Record = Map<string, { pre: Vec; out: Vec }>;

const larqSign = (x: number) => (x < 0 ? -1 : 1);

/** MagnitudeAwareSign's mean|w| per index of the kernel's last axis (output channel, or a depthwise layer's multiplier). */
function channelScales(kernel: Float32Array, lastAxis: number, q: Quantizer | null): Float64Array | null {
  if (q?.kind !== 'magnitude_aware_sign') return null;
  const sums = new Float64Array(lastAxis);
  kernel.forEach((w, i) => { sums[i % lastAxis] += Math.abs(w); });
  return sums.map((s) => f32(s / (kernel.length / lastAxis)));
}

function quantizeKernel(kernel: Float32Array, q: Quantizer | null): Float32Array {
  return q ? kernel.map(larqSign) : kernel;
}

function quantizeInput(x: Vec, spec: DenseSpec | Conv2dSpec, record: Record): Vec {
  if (!spec.inputQuantizer) return x;
  const out = x.map(larqSign);
  record.set(`${spec.name}/input_quantizer`, { pre: x, out });
  return out;
}

/** The sum of output channel o, times the magnitude scale of its kernel slice `scaleOf` (the kernel's last axis), plus its bias. */
function finishChannel(acc: number, o: number, scaleOf: number, scales: Float64Array | null, bias: Float32Array | null): number {
  const scaled = scales ? f32(acc * scales[scaleOf]) : acc;
  return bias ? f32(scaled + bias[o]) : scaled;
}

function dense(x: Vec, spec: DenseSpec, record: Record): Vec {
  const input = quantizeInput(x, spec, record);
  const [n] = spec.inShape;
  const [units] = spec.outShape;
  const k = quantizeKernel(spec.kernel, spec.kernelQuantizer);
  const scales = channelScales(spec.kernel, units, spec.kernelQuantizer);
  const out = new Float64Array(units);
  for (let o = 0; o < units; o++) {
    let acc = 0;
    for (let i = 0; i < n; i++) acc = f32(acc + f32(input[i] * k[i * units + o]));
    out[o] = finishChannel(acc, o, o, scales, spec.bias);
  }
  return out;
}

/**
 * The input channels output channel o reads, each with the stored kernel index of
 * tap `tap` (= ky * kw + kx): Keras' grouped Conv2D (kernel [kh][kw][in / groups][out],
 * group floor(o / (out / groups)) reads its consecutive slice of the input channels)
 * or DepthwiseConv2D (kernel [kh][kw][in][multiplier], o = c * multiplier + m reads c).
 */
function taps(spec: Conv2dSpec, o: number): { channel: number; kernelAt: (tap: number) => number }[] {
  const c = spec.inShape[2];
  const oc = spec.outShape[2];
  const m = spec.depthMultiplier;
  if (m !== null) {
    const channel = Math.floor(o / m);
    return [{ channel, kernelAt: (tap) => (tap * c + channel) * m + (o % m) }];
  }
  const perGroup = c / spec.groups;
  const first = Math.floor(o / (oc / spec.groups)) * perGroup;
  return Array.from({ length: perGroup }, (_, i) => ({ channel: first + i, kernelAt: (tap: number) => (tap * perGroup + i) * oc + o }));
}

function conv(x: Vec, spec: Conv2dSpec, record: Record): Vec {
  const input = quantizeInput(x, spec, record);
  const [h, w, c] = spec.inShape;
  const [oh, ow, oc] = spec.outShape;
  const [kh, kw] = spec.kernelSize;
  const k = quantizeKernel(spec.kernel, spec.kernelQuantizer);
  const lastAxis = spec.depthMultiplier ?? oc;
  const scales = channelScales(spec.kernel, lastAxis, spec.kernelQuantizer);
  const out = new Float64Array(oh * ow * oc);
  for (let o = 0; o < oc; o++) {
    const reads = taps(spec, o);
    const scaleOf = o % lastAxis;
    for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
      let acc = 0;
      for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
        const iy = y * spec.strides[0] - spec.pads[0] + ky * spec.dilation[0];
        const ix = xx * spec.strides[1] - spec.pads[1] + kx * spec.dilation[1];
        const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
        for (const { channel, kernelAt } of reads) {
          const v = inside ? input[(iy * w + ix) * c + channel] : spec.padValue;
          acc = f32(acc + f32(v * k[kernelAt(ky * kw + kx)]));
        }
      }
      out[(y * ow + xx) * oc + o] = finishChannel(acc, o, scaleOf, scales, spec.bias);
    }
  }
  return out;
}

function batchNorm(x: Vec, spec: BatchNormSpec): Vec {
  const c = spec.outShape[spec.outShape.length - 1];
  const eps = f32(spec.epsilon);
  const inv = new Float64Array(c);
  const offset = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    const r = f32(1 / Math.sqrt(f32(spec.variance[ch] + eps)));
    inv[ch] = spec.gamma ? f32(r * spec.gamma[ch]) : r;
    offset[ch] = f32((spec.beta ? spec.beta[ch] : 0) - f32(spec.mean[ch] * inv[ch]));
  }
  return x.map((v, i) => f32(f32(v * inv[i % c]) + offset[i % c]));
}

function pool(x: Vec, spec: PoolSpec): Vec {
  const [, w, c] = spec.inShape;
  const [ph, pw] = spec.pool;
  const oh = spec.outShape.length === 3 ? spec.outShape[0] : 1;
  const ow = spec.outShape.length === 3 ? spec.outShape[1] : 1;
  const out = new Float64Array(oh * ow * c);
  for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let ch = 0; ch < c; ch++) {
    let best = -Infinity;
    let sum = 0;
    for (let ky = 0; ky < ph; ky++) for (let kx = 0; kx < pw; kx++) {
      const v = x[((y * spec.strides[0] + ky) * w + xx * spec.strides[1] + kx) * c + ch];
      best = Math.max(best, v);
      sum = f32(sum + v);
    }
    out[(y * ow + xx) * c + ch] = spec.kind === 'maxpool' ? best : f32(sum / (ph * pw));
  }
  return out;
}

function runLayer(x: Vec, spec: LayerSpec, record: Record): Vec {
  switch (spec.kind) {
    case 'input':
    case 'reshape':
    case 'activation':
      return x;
    case 'rescaling':
      return x.map((v) => f32(f32(v * f32(spec.scale)) + f32(spec.offset)));
    case 'dense':
      return dense(x, spec, record);
    case 'conv2d':
      return conv(x, spec, record);
    case 'batchnorm':
      return batchNorm(x, spec);
    case 'maxpool':
    case 'avgpool': {
      const y = pool(x, spec);
      record.set(spec.name, { pre: x, out: y });
      return y;
    }
  }
}

/** The declared device-value -> model-input steps, read from the imported model (the Keras file has none). */
function declaredMapping(model: Model): (x: Vec) => Vec {
  const map = mapDeviceInput(model.layers);
  return (x) => x.map(map);
}

export function createLarqReference(model: Model, lowered: LoweredModel): Reference {
  const keras = readKerasModel(model.sourcePath, readSourceAgain(model));
  const mapInput = declaredMapping(model);
  const probes = lowered.layers.slice(0, -1).map((l) => l.sources[l.sources.length - 1]);
  return {
    engine: 'bnnc-larq-interpreter',
    note: null,
    run: async (input): Promise<ReferenceSample> => {
      const record: Record = new Map();
      const logits = keras.layers.reduce((x, spec) => runLayer(x, spec, record), mapInput(input));
      const layers = probes.map((name) => {
        const probe = record.get(name);
        invariant(probe !== undefined, `the Larq reference has no output for "${name}"`);
        return probe;
      });
      return { layers, logits };
    },
  };
}
