/**
 * C code generation for a lowered model: renders templates/c/*.hbs with
 * contexts built here, and copies the static kernels of runtime/ the model
 * needs. Codegen makes no numeric decision: thresholds, flips,
 * fixed-point scales and the arena come from the passes, each layer's arrays,
 * call and kernel files from its op (src/ops/<kind>/index.ts); this file
 * places them in the model files.
 */
import { DIGEST_INIT, digestWord } from '../bitops.ts';
import { emulate } from '../emulator/index.ts';
import type { LoweredLayer, LoweredModel } from '../ir/types.ts';
import { INPUT_CTYPES } from '../ops/common/kernels.ts';
import { deviceInputOrder, isScoresLayer, opFor } from '../ops/registry.ts';
import type { CallSite, KernelFile } from '../ops/types.ts';
import { float32Literal, inlineList, int32Literal } from './literals.ts';
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

/** The C pieces of one lowered layer: constant arrays and the kernel call (built by its op, src/ops/<kind>/index.ts). */
function layerContext(model: LoweredModel, layer: LoweredLayer, index: number, prefix: string) {
  const plan = model.memory.layers[index];
  const arena = `${prefix}_arena`;
  const output = plan.outputOffset < 0 ? 'scores' : `${arena} + ${plan.outputOffset / 4}`;
  const site: CallSite = {
    model,
    input: plan.inputOffset < 0 ? 'input' : `${arena} + ${plan.inputOffset / 4}`,
    output,
    scratch: plan.scratchBytes > 0 ? `${arena} + ${plan.scratchOffset / 4}` : 'NULL',
    base: `${prefix}_l${index}`,
  };
  const op = opFor(layer);
  const code = op.code(layer, site);
  return {
    index,
    kind: layer.kind,
    sourceName: commentText(layer.name, 60),
    shape: op.shapeText(layer),
    arrays: code.arrays,
    params: code.params,
    // One call template per op: templates/c/calls/<kind>.hbs.
    call: renderPartial(`c/calls/${layer.kind}`, code.call),
    output,
    traceWords: plan.outputOffset < 0 ? 0 : plan.outputBytes / 4,
  };
}

/** Kernel source files the model needs (runtime/ copies, or a template where the file varies): first use first, each file once. */
function kernelFiles(model: LoweredModel): KernelFile[] {
  const files = new Map<string, KernelFile>();
  for (const layer of model.layers) {
    for (const k of opFor(layer).kernelFiles(layer, model)) files.set(k.file, k);
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

/**
 * The device input's layout, for the generated header: the source shape
 * flattened row-major, except a multi-channel image (or 1-D sequence) read by
 * the first convolution, which is HWC (interleaved channels, as a camera or a
 * sensor delivers them).
 */
function inputDescription(model: LoweredModel): string {
  const { features, dtype, shape } = model.input;
  if (!deviceInputOrder(model)) return `${features} ${dtype} values (shape [${shape.join(', ')}] flattened row-major)`;
  const channelsFirst = `the model's shape [${shape.join(', ')}] is channels-first`;
  if (shape.length === 2) {
    const [c, l] = shape; // a Conv1d input [C, L]
    return `${features} ${dtype} values: ${l} steps of ${c} interleaved channels (step t channel ch at [t * ${c} + ch]); ${channelsFirst}`;
  }
  const [c, h, w] = shape; // reordered only for an image input [C, H, W]
  return `${features} ${dtype} values: an image of ${h} x ${w} pixels of ${c} interleaved channels (HWC: `
    + `pixel (y, x) channel ch at [(y * ${w} + x) * ${c} + ch]); ${channelsFirst}`;
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
  if (!isScoresLayer(last)) throw new Error(`bnnc internal error: the last layer "${last.name}" (${last.kind}) writes no scores`);
  const dot = opFor(last).rawDot!(last);
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
    inputDescription: inputDescription(model),
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
