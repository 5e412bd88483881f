/**
 * C code generation for a lowered model: renders templates/c/*.hbs with
 * contexts built here, and copies the static kernels of runtime/ it needs. Codegen makes no numeric decision: thresholds, flips,
 * fixed-point scales and the arena come from the passes; this file only
 * names arrays, formats literals and picks which kernel files to emit.
 */
import { DIGEST_INIT, digestWord, float32ThresholdKey, packBits, packedWords } from '../bitops.ts';
import { emulate } from '../emulator/index.ts';
import type { ConvGeometry, LoweredLayer, LoweredModel } from '../ir/types.ts';
import { float32Literal, hexWords, inlineList, int32Literal, int32s } from './literals.ts';
import { kernelConfig, popcountHeaders } from './kernels.ts';
import { modelProvenance } from './banner.ts';
import { checkPrefix, commentText, modelPrefix } from './sanitize.ts';
import { render, renderPartial, runtimeFile } from './templates.ts';

export interface GeneratedFile {
  name: string;
  content: string;
}

export interface CodegenOptions {
  /** C identifier prefix, already sanitised (modelPrefix); default: modelPrefix(model.name). */
  name?: string;
  /** Device input vectors embedded for the self-test (at least one). */
  vectors: number[][];
  /** Kernel variant (see src/codegen/kernels.ts); default portable. */
  kernelVariant?: string;
  /** Target name, recorded in bnn_kernel_config.h. */
  target?: string;
}

interface CArray {
  ctype: string;
  name: string;
  length: number;
  body: string;
}

const INPUT_CTYPES = { uint8: 'uint8_t', int8: 'int8_t', float32: 'float' } as const;
const INT_PREFIX = { uint8: 'bnn_dense_u8', int8: 'bnn_dense_s8' } as const;

/** Packs per-channel (or, for binarize_input, per-input) flip flags into words. */
function flipWords(flip: Uint8Array): Uint32Array {
  return packBits(flip);
}

const PADDING_ENUM = { zero: 'BNN_PAD_ZERO', plus: 'BNN_PAD_PLUS', minus: 'BNN_PAD_MINUS' } as const;

/** Initializer of a bnn_conv2d_params_t, in the struct's field order (bnn_kernels.h). */
function convParams(layer: ConvGeometry): string {
  const [ih, iw, ic] = layer.inShape;
  const [oh, ow, oc] = layer.outShape;
  const fields = [ih, iw, ic, oh, ow, oc, ...layer.kernel, ...layer.stride, layer.pads[0], layer.pads[1], ...layer.pool];
  return `${inlineList(fields, int32Literal)}, ${PADDING_ENUM[layer.padding]}, ${layer.poolMode === 'sum' ? 1 : 0}`;
}

function words(ctype: string, name: string, values: Uint32Array): CArray {
  return { ctype, name, length: values.length, body: hexWords(values) };
}

function ints(name: string, values: Int32Array): CArray {
  return { ctype: 'int32_t', name, length: values.length, body: int32s(values) };
}

/** The C pieces of one lowered layer: constant arrays and the kernel call. */
function layerContext(model: LoweredModel, layer: LoweredLayer, index: number, prefix: string) {
  const plan = model.memory.layers[index];
  const arena = `${prefix}_arena`;
  const input = plan.inputOffset < 0 ? 'input' : `${arena} + ${plan.inputOffset / 4}`;
  const output = plan.outputOffset < 0 ? 'scores' : `${arena} + ${plan.outputOffset / 4}`;
  const scratch = plan.scratchBytes > 0 ? `${arena} + ${plan.scratchOffset / 4}` : 'NULL';
  const base = `${prefix}_l${index}`;
  const arrays: CArray[] = [];
  let params: { name: string; body: string } | false = false;
  let call: { partial: string; args: Record<string, string | number> };
  switch (layer.kind) {
    case 'binarize_input': {
      const dtype = model.input.dtype;
      const isFloat = dtype === 'float32';
      // Float thresholds become order-preserving keys (bitops.ts float32ThresholdKey): no FPU needed.
      const thresholds = isFloat ? hexWords(Array.from(layer.threshold, float32ThresholdKey)) : int32s(layer.threshold);
      arrays.push({ ctype: isFloat ? 'uint32_t' : 'int16_t', name: `${base}_threshold`, length: layer.features, body: thresholds });
      arrays.push(words('uint32_t', `${base}_flip`, flipWords(layer.flip)));
      const fn = isFloat ? 'bnn_binarize_f32' : dtype === 'uint8' ? 'bnn_binarize_u8' : 'bnn_binarize_s8';
      call = { partial: 'c/calls/binarize_input', args: { fn, input, pixels: layer.features / layer.shape[2], group: layer.shape[2], threshold: `${base}_threshold`, flip: `${base}_flip`, output } };
      break;
    }
    case 'conv2d_b1':
    case 'conv2d_int_b1': {
      arrays.push(words('uint32_t', `${base}_weights`, layer.weights));
      arrays.push(ints(`${base}_threshold`, layer.threshold));
      arrays.push(words('uint32_t', `${base}_flip`, flipWords(layer.flip)));
      params = { name: `${base}_geometry`, body: convParams(layer) };
      const fn = layer.kind === 'conv2d_b1' ? 'bnn_conv2d_b1' : layer.inputDType === 'uint8' ? 'bnn_conv2d_u8_b1' : 'bnn_conv2d_s8_b1';
      call = { partial: `c/calls/${layer.kind}`, args: { fn, input, weights: `${base}_weights`, params: params.name, threshold: `${base}_threshold`, flip: `${base}_flip`, output, scratch } };
      break;
    }
    case 'maxpool_b1':
      call = { partial: 'c/calls/maxpool_b1', args: {
        fn: 'bnn_maxpool_b1', input, inW: layer.inShape[1], channels: layer.inShape[2], outH: layer.outShape[0], outW: layer.outShape[1],
        kH: layer.kernel[0], kW: layer.kernel[1], strideH: layer.stride[0], strideW: layer.stride[1], output,
      } };
      break;
    case 'dense_int_b1':
    case 'dense_b1': {
      arrays.push(words('uint32_t', `${base}_weights`, layer.weights));
      arrays.push(ints(`${base}_threshold`, layer.threshold));
      arrays.push(words('uint32_t', `${base}_flip`, flipWords(layer.flip)));
      const common = { input, weights: `${base}_weights`, nOut: layer.outFeatures, threshold: `${base}_threshold`, flip: `${base}_flip`, output };
      call = layer.kind === 'dense_b1'
        ? { partial: 'c/calls/dense_b1', args: { fn: 'bnn_dense_b1', nWords: packedWords(layer.inFeatures, layer.inGroup), ...common } }
        : { partial: 'c/calls/dense_int_b1', args: { fn: `${INT_PREFIX[layer.inputDType]}_b1`, nIn: layer.inFeatures, scratch, ...common } };
      break;
    }
    case 'dense_b1_scores':
    case 'dense_int_scores': {
      arrays.push(words('uint32_t', `${base}_weights`, layer.weights));
      if (layer.transform) {
        arrays.push(ints(`${base}_mult`, layer.transform.mult));
        arrays.push(ints(`${base}_bias`, layer.transform.bias));
      }
      const common = { input, weights: `${base}_weights`, nOut: layer.outFeatures, output };
      call = layer.kind === 'dense_b1_scores'
        ? { partial: 'c/calls/dense_b1_scores', args: { fn: 'bnn_dense_b1_pop', nWords: packedWords(layer.inFeatures, layer.inGroup), ...common } }
        : { partial: 'c/calls/dense_int_scores', args: { fn: `${INT_PREFIX[layer.inputDType]}_acc`, nIn: layer.inFeatures, scratch, ...common } };
      break;
    }
  }
  return {
    index,
    kind: layer.kind,
    sourceName: commentText(layer.name, 60),
    shape: layerShapeText(layer),
    arrays,
    params,
    call: renderPartial(call.partial, call.args),
    output,
    traceWords: plan.outputOffset < 0 ? 0 : plan.outputBytes / 4,
  };
}

/** "784 -> 512" for dense layers, "28x28x1 -> 14x14x16" for spatial ones. */
export function layerShapeText(layer: LoweredLayer): string {
  const hwc = (s: [number, number, number]) => s.join('x');
  switch (layer.kind) {
    case 'binarize_input': return `${layer.features} -> ${layer.shape[0] * layer.shape[1] > 1 ? hwc(layer.shape) : layer.features}`;
    case 'conv2d_b1':
    case 'conv2d_int_b1':
    case 'maxpool_b1': return `${hwc(layer.inShape)} -> ${hwc(layer.outShape)}`;
    default: return `${layer.inFeatures} -> ${layer.outFeatures}`;
  }
}

/** A kernel file the model needs: copied from runtime/, or rendered from a template where it varies. */
interface KernelFile {
  file: string;
  template?: { name: string; context: object };
}

/** Kernel source files the model needs (runtime/ files, and the input binarizer rendered per input type). */
function kernelFiles(model: LoweredModel): KernelFile[] {
  const files = new Map<string, KernelFile>();
  const runtime = (...names: string[]) => names.forEach((file) => files.set(file, { file }));
  for (const layer of model.layers) {
    switch (layer.kind) {
      case 'binarize_input': {
        const dtype = model.input.dtype;
        const suffix = dtype === 'float32' ? 'f32' : dtype === 'uint8' ? 'u8' : 's8';
        const file = `bnn_binarize_${suffix}.c`;
        files.set(file, { file, template: { name: 'c/kernels/bnn_binarize.c', context: {
          file,
          name: `bnn_binarize_${suffix}`,
          ctype: INPUT_CTYPES[dtype],
          ttype: dtype === 'float32' ? 'uint32_t' : 'int16_t',
          isFloat: dtype === 'float32',
        } } });
        break;
      }
      // The bit-plane rows of the integer-input dense kernels, and the interior
      // positions of the binary convolution, run on the binary row engine (bnn_dense_b1_pop.c).
      case 'dense_int_b1':
        runtime(`${INT_PREFIX[layer.inputDType]}_b1.c`, 'bnn_dense_int.h', 'bnn_dense_b1_pop.c');
        break;
      case 'dense_int_scores':
        runtime(`${INT_PREFIX[layer.inputDType]}_acc.c`, 'bnn_dense_int.h', 'bnn_dense_b1_pop.c');
        break;
      case 'dense_b1':
        runtime('bnn_dense_b1.c');
        break;
      case 'conv2d_b1':
        runtime('bnn_conv2d_b1.c', 'bnn_conv2d_pool.h', 'bnn_dense_b1_pop.c');
        break;
      case 'conv2d_int_b1':
        runtime(`${layer.inputDType === 'uint8' ? 'bnn_conv2d_u8' : 'bnn_conv2d_s8'}_b1.c`, 'bnn_conv2d_int.h', 'bnn_conv2d_pool.h');
        break;
      case 'maxpool_b1':
        runtime('bnn_maxpool_b1.c');
        break;
      case 'dense_b1_scores':
        runtime('bnn_dense_b1_pop.c');
        break;
    }
  }
  return [...files.values()];
}

const CTYPE_BYTES: Record<string, number> = { uint32_t: 4, int32_t: 4, int16_t: 2, uint8_t: 1, int8_t: 1, float: 4 };

/**
 * Every constant array the generated C defines, with its size in bytes: the
 * layers' weights, thresholds, flips and score transforms, and the self-test's
 * vectors and expected outputs (`vectorCount` of them). Some compilers limit a
 * single object's size (avr-gcc: 32,767 bytes), see package/checks.ts.
 */
export function constantArrays(model: LoweredModel, vectorCount: number, name = modelPrefix(model.name).prefix): { name: string; layer: string | null; bytes: number }[] {
  const arrays: { name: string; layer: string | null; bytes: number }[] = model.layers.flatMap((layer, i) => layerContext(model, layer, i, name).arrays.map((a) => ({ name: a.name, layer: layer.name, bytes: a.length * CTYPE_BYTES[a.ctype] })));
  const inputBytes = CTYPE_BYTES[INPUT_CTYPES[model.input.dtype]];
  arrays.push({ name: `${name}_vectors`, layer: null, bytes: vectorCount * model.input.features * inputBytes });
  arrays.push({ name: `${name}_expected`, layer: null, bytes: vectorCount * (model.classes + 1) * 4 });
  return arrays;
}

function inputLiteral(dtype: LoweredModel['input']['dtype']): (v: number) => string {
  return dtype === 'float32' ? float32Literal : int32Literal;
}

/** Expected outputs of the self-test vectors, and their digest, from the emulator. */
export function selftestExpectations(model: LoweredModel, vectors: number[][]): { rows: number[][]; digest: number } {
  let digest = DIGEST_INIT;
  const rows = vectors.map((v) => {
    const r = emulate(model, v);
    for (const s of r.scores) digest = digestWord(digest, s);
    digest = digestWord(digest, r.prediction);
    return [...r.scores, r.prediction];
  });
  return { rows, digest };
}

export function generateC(model: LoweredModel, options: CodegenOptions): GeneratedFile[] {
  const name = options.name === undefined ? modelPrefix(model.name).prefix : checkPrefix(options.name);
  const upper = name.toUpperCase();
  const header = `${name}.h`;
  const origin = modelProvenance(model);
  const file = (fileName: string, template: string, fileContext: object): GeneratedFile =>
    ({ name: fileName, content: render(template, fileName, origin, fileContext) });
  const copied = (fileName: string): GeneratedFile => ({ name: fileName, content: runtimeFile(fileName, origin) });
  const variant = options.kernelVariant ?? 'portable';
  const layers = model.layers.map((l, i) => layerContext(model, l, i, name));
  const last = model.layers[model.layers.length - 1];
  if (last.kind !== 'dense_b1_scores' && last.kind !== 'dense_int_scores') throw new Error('bnnc internal error: no scores layer');
  const dot = last.kind === 'dense_b1_scores' ? `${last.inFeatures} - 2 * scores[o]` : 'scores[o]';
  const lastBase = `${name}_l${model.layers.length - 1}`;
  const { rows, digest } = selftestExpectations(model, options.vectors);
  const context = {
    name,
    upper,
    header,
    sourceFile: `${name}.c`,
    selftest: `${name}_selftest.c`,
    guard: `${upper}_H`,
    inputSize: model.input.features,
    classes: last.outFeatures,
    fracBits: last.transform?.fracBits ?? 0,
    rawScores: !last.transform,
    arenaBytes: model.memory.arenaBytes,
    arenaLowerBound: model.memory.lowerBoundBytes,
    arenaWords: Math.max(1, model.memory.arenaBytes / 4),
    inputCType: INPUT_CTYPES[model.input.dtype],
    inputDescription: `${model.input.features} ${model.input.dtype} values (shape [${model.input.shape.join(', ')}] flattened row-major)`,
    layers,
    layerCount: layers.length,
    transform: last.transform ? { mult: `${lastBase}_mult`, bias: `${lastBase}_bias`, dot } : false,
    rawDot: dot,
    vectorCount: options.vectors.length,
    vectors: options.vectors.map((v) => inlineList(v, inputLiteral(model.input.dtype))),
    expected: rows.map((r) => inlineList(r, int32Literal)),
    expectedDigest: digest.toString(16).toUpperCase().padStart(8, '0'),
  };
  const files: GeneratedFile[] = [
    file(header, 'c/model.h', context),
    file(`${name}.c`, 'c/model.c', context),
    file(`${name}_selftest.c`, 'c/model_selftest.c', context),
    ...['bnn_kernels.h', ...popcountHeaders(variant), 'bnn_kernel_variant.c'].map(copied),
    // Target names are data (targets/*.json): printed as comment text like any name.
    file('bnn_kernel_config.h', 'c/kernels/bnn_kernel_config.h', { ...kernelConfig(variant), target: commentText(options.target ?? 'host', 40) }),
  ];
  for (const k of kernelFiles(model)) files.push(k.template ? file(k.file, k.template.name, k.template.context) : copied(k.file));
  return files;
}

/** The host driver used by `bnnc verify` (not part of the firmware sources). */
export function generateHostMain(model: LoweredModel, prefix?: string): GeneratedFile {
  const name = prefix === undefined ? modelPrefix(model.name).prefix : checkPrefix(prefix);
  const context = { name, upper: name.toUpperCase(), header: `${name}.h`, inputCType: INPUT_CTYPES[model.input.dtype] };
  return { name: 'bnnc_host_main.c', content: render('c/host_main.c', 'bnnc_host_main.c', modelProvenance(model), context) };
}
