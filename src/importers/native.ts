/**
 * The native model format `*.bnn.json`: the imported float IR (before any
 * pass), so a converted model verifies exactly like its source. Tensors are
 * float32 little-endian, either inline (base64) or in a sidecar binary file
 * next to the JSON (`--sidecar`). Schema: docs/bnn-json.md and
 * BNN_JSON_SCHEMA below (validated with ajv; errors name the JSON path).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { BnncError } from '../errors.ts';
import { readInputFile } from '../files/read.ts';
import type { FloatLayer, Model } from '../ir/types.ts';
import { dimsProblem, MAX_TENSOR_ELEMENTS, windowProblem } from './limits.ts';

export const FORMAT_ID = 'bnnc-model';
export const FORMAT_VERSION = 1;

const tensorRef = {
  type: 'object',
  required: ['dtype', 'length'],
  additionalProperties: false,
  properties: {
    dtype: { const: 'float32' },
    length: { type: 'integer', minimum: 1 },
    base64: { type: 'string' },
    offset: { type: 'integer', minimum: 0, description: 'byte offset in the sidecar file' },
  },
  oneOf: [{ required: ['base64'] }, { required: ['offset'] }],
} as const;

const origin = { name: { type: 'string', minLength: 1 }, sources: { type: 'array', items: { type: 'string' } } } as const;
const hwc = { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 3, maxItems: 3, description: '[height, width, channels]' } as const;
const pair = { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 } as const;

export const BNN_JSON_SCHEMA = {
  $id: 'https://bnnc.dev/schema/bnn.json',
  type: 'object',
  required: ['format', 'version', 'name', 'input', 'classes', 'layers'],
  additionalProperties: false,
  properties: {
    format: { const: FORMAT_ID },
    version: { const: FORMAT_VERSION },
    name: { type: 'string', minLength: 1 },
    source: {
      type: 'object',
      properties: { path: { type: 'string' }, format: { type: 'string' }, sha256: { type: 'string' } },
    },
    sidecar: { type: ['string', 'null'], description: 'file name of the tensor data, relative to the JSON' },
    input: {
      type: 'object',
      required: ['name', 'shape', 'features', 'dtype'],
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        shape: { type: 'array', items: { type: 'integer', minimum: 1 } },
        features: { type: 'integer', minimum: 1 },
        dtype: { enum: ['uint8', 'int8', 'float32'] },
      },
    },
    classes: { type: 'integer', minimum: 1 },
    layers: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['kind', 'name'],
        discriminator: { propertyName: 'kind' },
        oneOf: [
          {
            properties: {
              kind: { const: 'affine' }, ...origin, features: { type: 'integer', minimum: 1 },
              steps: { type: 'array', items: { type: 'object', required: ['op', 'value'], additionalProperties: false,
                properties: { op: { enum: ['mul', 'add', 'sub', 'div'] }, value: tensorRef } } },
            },
            required: ['features', 'steps'], additionalProperties: false,
          },
          {
            properties: { kind: { const: 'sign' }, ...origin, features: { type: 'integer', minimum: 1 }, atZero: { enum: ['plus', 'zero'] } },
            required: ['features', 'atZero'], additionalProperties: false,
          },
          {
            properties: { kind: { const: 'clip' }, ...origin, features: { type: 'integer', minimum: 1 }, min: { type: 'number' }, max: { type: 'number' } },
            required: ['features', 'min', 'max'], additionalProperties: false,
          },
          {
            properties: {
              kind: { const: 'dense' }, ...origin,
              inFeatures: { type: 'integer', minimum: 1 }, outFeatures: { type: 'integer', minimum: 1 },
              weight: tensorRef, bias: { oneOf: [tensorRef, { type: 'null' }] },
            },
            required: ['inFeatures', 'outFeatures', 'weight', 'bias'], additionalProperties: false,
          },
          {
            properties: {
              kind: { const: 'conv2d' }, ...origin, inShape: hwc, outShape: hwc, kernel: pair, stride: pair,
              pads: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 4, maxItems: 4 },
              padding: { enum: ['zero', 'plus', 'minus'] }, weight: tensorRef, bias: { oneOf: [tensorRef, { type: 'null' }] },
              groups: { type: 'integer', minimum: 1 }, dilation: pair,
            },
            required: ['inShape', 'outShape', 'kernel', 'stride', 'pads', 'padding', 'weight', 'bias'], additionalProperties: false,
          },
          {
            properties: {
              kind: { const: 'maxpool' }, ...origin, inShape: hwc, outShape: hwc, kernel: pair, stride: pair,
              pads: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 4, maxItems: 4 },
            },
            required: ['inShape', 'outShape', 'kernel', 'stride'], additionalProperties: false,
          },
          {
            properties: { kind: { const: 'avgpool' }, ...origin, inShape: hwc, outShape: hwc, kernel: pair, stride: pair },
            required: ['inShape', 'outShape', 'kernel', 'stride'], additionalProperties: false,
          },
          {
            properties: { kind: { const: 'argmax' }, ...origin, features: { type: 'integer', minimum: 1 } },
            required: ['features'], additionalProperties: false,
          },
        ],
      },
    },
  },
} as const;

let validator: ReturnType<Ajv['compile']> | null = null;

function validate(doc: unknown, file: string): void {
  validator ??= new Ajv({ allErrors: false, discriminator: true }).compile(BNN_JSON_SCHEMA);
  if (validator(doc)) return;
  const err = (validator.errors ?? [])[0] as ErrorObject;
  throw new BnncError(`invalid bnnc model: ${err.message ?? 'schema violation'}`, {
    file,
    where: err.instancePath === '' ? '(top level)' : err.instancePath,
    expected: describeExpected(err),
    hint: 'write the file with `bnnc convert`, or see docs/bnn-json.md for the schema',
  });
}

function describeExpected(err: ErrorObject): string {
  const p = err.params as Record<string, unknown>;
  if ('allowedValue' in p) return JSON.stringify(p.allowedValue);
  if ('allowedValues' in p) return `one of ${JSON.stringify(p.allowedValues)}`;
  if ('missingProperty' in p) return `a property "${p.missingProperty}"`;
  if ('additionalProperty' in p) return `no property "${p.additionalProperty}"`;
  if ('type' in p) return `a value of type ${p.type}`;
  return err.message ?? 'a valid value';
}

// ------------------------------------------------------------------ writing

interface TensorWriter {
  ref(values: Float32Array): object;
}

function inlineWriter(): TensorWriter {
  return { ref: (v) => ({ dtype: 'float32', length: v.length, base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') }) };
}

function sidecarWriter(chunks: Buffer[]): TensorWriter {
  let offset = 0;
  return {
    ref(v) {
      const bytes = Buffer.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      chunks.push(bytes);
      const r = { dtype: 'float32', length: v.length, offset };
      offset += bytes.length;
      return r;
    },
  };
}

function layerToJson(layer: FloatLayer, t: TensorWriter): object {
  switch (layer.kind) {
    case 'affine': return { ...layer, steps: layer.steps.map((s) => ({ op: s.op, value: t.ref(s.value) })) };
    case 'dense':
    case 'conv2d':
      return { ...layer, weight: t.ref(layer.weight), bias: layer.bias ? t.ref(layer.bias) : null };
    default: return { ...layer };
  }
}

/** Serialises a float-IR model; with `sidecarName`, tensors go to the returned binary. */
export function toNativeJson(model: Model, sidecarName: string | null): { json: string; sidecar: Buffer | null } {
  if (model.layers.some((l) => !['affine', 'sign', 'clip', 'dense', 'conv2d', 'maxpool', 'avgpool', 'argmax'].includes(l.kind))) {
    throw new Error('bnnc internal error: only imported (float) models are written as .bnn.json');
  }
  const chunks: Buffer[] = [];
  const writer = sidecarName ? sidecarWriter(chunks) : inlineWriter();
  const doc = {
    format: FORMAT_ID,
    version: FORMAT_VERSION,
    name: model.name,
    source: { path: basename(model.sourcePath), format: model.sourceFormat, sha256: model.sourceHash },
    sidecar: sidecarName,
    input: model.input,
    classes: model.classes,
    layers: (model.layers as FloatLayer[]).map((l) => layerToJson(l, writer)),
  };
  return { json: `${JSON.stringify(doc, null, 1)}\n`, sidecar: sidecarName ? Buffer.concat(chunks) : null };
}

// ------------------------------------------------------------------ reading

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

interface TensorJson { dtype: 'float32'; length: number; base64?: string; offset?: number }

function tensorReader(file: string, sidecar: Buffer | null) {
  return (ref: TensorJson, where: string): Float32Array => {
    let bytes: Buffer;
    if (ref.base64 !== undefined) {
      // Node's decoder skips characters it does not know and stops at padding: check the text first.
      if (!BASE64.test(ref.base64)) {
        throw new BnncError('tensor data is not canonical base64', { file, where: `${where}/base64`, expected: 'base64 text (A-Z a-z 0-9 + /, padded with = to a multiple of 4)' });
      }
      bytes = Buffer.from(ref.base64, 'base64');
    } else {
      if (!sidecar) throw new BnncError('tensor refers to a sidecar file, but the model names none', { file, where, expected: '"sidecar": "<file>.bin"' });
      bytes = sidecar.subarray(ref.offset!, ref.offset! + ref.length * 4);
    }
    if (bytes.length !== ref.length * 4) {
      throw new BnncError(`tensor data has ${bytes.length} bytes for ${ref.length} float32 values`, { file, where, expected: `${ref.length * 4} bytes` });
    }
    const values = new Float32Array(ref.length);
    for (let i = 0; i < ref.length; i++) values[i] = bytes.readFloatLE(i * 4);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new BnncError(`value ${bad} is ${values[bad]}`, { file, where, expected: 'finite numbers' });
    return values;
  };
}

export function readNativeModel(path: string, bytes: Buffer = readInputFile(path, 'model', 'a .bnn.json model written by bnnc convert')): Model {
  let doc: Record<string, any>;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new BnncError(`not valid JSON (${(e as Error).message})`, { file: path, expected: 'a .bnn.json model written by bnnc convert' });
  }
  validate(doc, path);
  checkSizes(doc, path);
  let sidecar: Buffer | null = null;
  if (doc.sidecar) {
    // A plain file name next to the JSON, never a path: a model must not make bnnc read other files.
    if (doc.sidecar !== basename(doc.sidecar) || doc.sidecar === '..' || doc.sidecar === '.' || doc.sidecar.includes('\\')) {
      throw new BnncError(`sidecar "${doc.sidecar}" is not a plain file name`, { file: path, where: '/sidecar', expected: 'the name of a file next to the .bnn.json, e.g. "model.bin"' });
    }
    const sidecarPath = join(dirname(path), doc.sidecar);
    if (!existsSync(sidecarPath)) throw new BnncError(`sidecar file ${doc.sidecar} is missing`, { file: path, where: '/sidecar', hint: `keep ${doc.sidecar} next to the .bnn.json` });
    sidecar = readInputFile(sidecarPath, 'model', `the sidecar ${doc.sidecar} of ${path}`);
  }
  const read = tensorReader(path, sidecar);
  const layers: FloatLayer[] = doc.layers.map((l: Record<string, any>, i: number): FloatLayer => {
    const where = `/layers/${i}`;
    const sources: string[] = l.sources ?? [l.name];
    switch (l.kind) {
      case 'affine':
        return { kind: 'affine', name: l.name, sources, features: l.features,
          steps: l.steps.map((s: { op: 'mul' | 'add' | 'sub' | 'div'; value: TensorJson }, k: number) => ({ op: s.op, value: read(s.value, `${where}/steps/${k}/value`) })) };
      case 'dense': {
        const weight = read(l.weight, `${where}/weight`);
        if (weight.length !== l.inFeatures * l.outFeatures) {
          throw new BnncError(`weight has ${weight.length} values`, { file: path, where: `${where}/weight`, expected: `inFeatures x outFeatures = ${l.inFeatures * l.outFeatures}` });
        }
        return { kind: 'dense', name: l.name, sources, inFeatures: l.inFeatures, outFeatures: l.outFeatures, weight,
          bias: l.bias ? read(l.bias, `${where}/bias`) : null };
      }
      case 'conv2d': {
        const weight = read(l.weight, `${where}/weight`);
        const groups = l.groups ?? 1;
        if (l.inShape[2] % groups !== 0 || l.outShape[2] % groups !== 0) {
          throw new BnncError(`groups ${groups} for ${l.inShape[2]} input and ${l.outShape[2]} output channels`, { file: path, where: `${where}/groups`, expected: 'a group count that divides both channel counts' });
        }
        const expected = l.outShape[2] * l.kernel[0] * l.kernel[1] * (l.inShape[2] / groups);
        if (weight.length !== expected) {
          throw new BnncError(`weight has ${weight.length} values`, { file: path, where: `${where}/weight`, expected: `out channels x kernel x in channels per group = ${expected}` });
        }
        return { ...(l as object), sources, weight, bias: l.bias ? read(l.bias, `${where}/bias`) : null } as FloatLayer;
      }
      default:
        return { ...l, sources } as FloatLayer;
    }
  });
  checkChaining(layers, doc.input.features, path);
  const lastDense = layers.filter((l) => l.kind === 'dense').at(-1);
  if (lastDense && lastDense.kind === 'dense' && doc.classes !== lastDense.outFeatures) {
    throw new BnncError(`classes is ${doc.classes}, the last dense layer "${lastDense.name}" has ${lastDense.outFeatures} outputs`, {
      file: path, where: '/classes', expected: `${lastDense.outFeatures} (one class per output of the last dense layer)`,
    });
  }
  return {
    name: doc.name,
    sourcePath: path,
    sourceFormat: 'bnn.json',
    sourceHash: createHash('sha256').update(bytes).digest('hex'),
    input: doc.input,
    classes: doc.classes,
    layers,
    memory: null,
  };
}

/**
 * Sizes before anything is allocated from them: the input shape and every
 * layer's feature counts within the limits, convolution and pooling windows
 * consistent with their shapes and within the C parameter widths (src/importers/limits.ts).
 */
function checkSizes(doc: Record<string, any>, file: string): void {
  const inputProblem = dimsProblem(doc.input.shape, false);
  const features = doc.input.shape.reduce((a: number, b: number) => a * b, 1);
  if (inputProblem || features !== doc.input.features) {
    throw new BnncError(inputProblem ?? `input shape [${doc.input.shape}] holds ${features} values, features says ${doc.input.features}`, {
      file, where: '/input', expected: `a shape whose product is "features" (at most ${MAX_TENSOR_ELEMENTS})`,
    });
  }
  doc.layers.forEach((l: Record<string, any>, i: number) => {
    const where = `/layers/${i}`;
    const problem = layerSizeProblem(l);
    if (problem) throw new BnncError(`layer "${l.name}": ${problem}`, { file, where, expected: 'sizes within the limits' });
    if (l.kind === 'conv2d' || l.kind === 'maxpool' || l.kind === 'avgpool') {
      const window = windowProblem(l as { inShape: number[]; outShape: number[]; kernel: number[]; stride: number[]; pads?: number[]; dilation?: number[] });
      if (window) throw new BnncError(`layer "${l.name}": ${window}`, { file, where, expected: 'a window geometry consistent with the shapes, which the C kernels can run' });
      if (l.kind !== 'conv2d' && l.inShape[2] !== l.outShape[2]) {
        throw new BnncError(`layer "${l.name}": pooling maps ${l.inShape[2]} channels to ${l.outShape[2]}`, { file, where, expected: 'the same channel count in inShape and outShape' });
      }
    }
  });
}

/** Feature counts, the weight matrix of a dense layer (in x out) and window shapes, each within the limits. */
function layerSizeProblem(l: Record<string, any>): string | null {
  if (l.kind === 'dense') return dimsProblem([l.inFeatures, l.outFeatures], false);
  if ('inShape' in l) return dimsProblem(l.inShape, false) ?? dimsProblem(l.outShape, false);
  return 'features' in l ? dimsProblem([l.features], false) : null;
}

/** Each layer's input size must be the previous layer's output size. */
function checkChaining(layers: FloatLayer[], inputFeatures: number, file: string): void {
  let features = inputFeatures;
  let channels = inputFeatures;
  layers.forEach((l, i) => {
    const expectedIn = l.kind === 'dense' ? l.inFeatures : 'inShape' in l ? l.inShape[0] * l.inShape[1] * l.inShape[2] : l.features;
    if (expectedIn !== features) {
      throw new BnncError(`layer "${l.name}" takes ${expectedIn} features but receives ${features}`, {
        file, where: `/layers/${i}`, expected: `${features} input features (shapes must chain)`,
      });
    }
    if (l.kind === 'affine') {
      const bad = l.steps.findIndex((s) => s.value.length !== 1 && s.value.length !== channels && s.value.length !== l.features);
      if (bad >= 0) {
        throw new BnncError(`step ${bad} has ${l.steps[bad].value.length} values`, {
          file, where: `/layers/${i}/steps/${bad}`, expected: `1, ${channels} (per channel) or ${l.features} values` });
      }
    }
    const outCount = l.kind === 'dense' ? l.outFeatures : 'outShape' in l ? l.outShape[2] : null;
    if ((l.kind === 'dense' || l.kind === 'conv2d') && l.bias && l.bias.length !== outCount) {
      throw new BnncError(`bias has ${l.bias.length} values`, { file, where: `/layers/${i}/bias`, expected: `${outCount} values` });
    }
    features = l.kind === 'dense' ? l.outFeatures : l.kind === 'argmax' ? 1 : 'outShape' in l ? l.outShape[0] * l.outShape[1] * l.outShape[2] : l.features;
    channels = l.kind === 'dense' ? l.outFeatures : 'outShape' in l ? l.outShape[2] : channels;
  });
}
