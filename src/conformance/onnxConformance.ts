/**
 * ONNX's own conformance cases (onnx/backend/test/data/node, packaged by
 * Debian as libonnx-testdata) run through bnnc's float reference interpreter.
 *
 * A case is considered when every node of its model is a standard-domain op
 * that bnnc has an `evaluate` for (decided from the decoded model, not from
 * the folder name). Each of its test data sets is fed to `evaluateGraph` and
 * every graph output compared with the stored one:
 *   pass         every output equal (see `allowedDifference` for floats);
 *   unsupported  a value bnnc cannot represent (checked here, up front) or a
 *                BnncError from an `evaluate` saying what it does not support;
 *   fail         a differing output, or an `evaluate` that crashed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BnncError } from '../errors.ts';
import { findHandler, normalizeDomain } from '../importers/onnx/ops/index.ts';
import { decodeAttributes, decodeTensor, onnx, readModelProto, type ConstTensor, type ModelProto, type NodeProto, type ValueInfoProto } from '../importers/onnx/proto.ts';
import { broadcastIndex, dataTypeName, isRepresentableDataType, matmul, transpose } from '../importers/onnx/tensor.ts';
import { evaluateGraph, graphInitializers } from '../reference/interpreter.ts';

export const DEFAULT_CONFORMANCE_DIR = '/usr/share/libonnx-testdata/data/node';

export type ConformanceStatus = 'pass' | 'unsupported' | 'fail';

export interface ConformanceCase {
  name: string;
  status: ConformanceStatus;
  /** Why the case is unsupported or fails. */
  reason?: string;
}

export interface ConformanceResult {
  cases: ConformanceCase[];
  counts: Record<ConformanceStatus, number>;
}

export function runConformance(dir = DEFAULT_CONFORMANCE_DIR): ConformanceResult {
  if (!existsSync(dir)) {
    throw new BnncError(`ONNX conformance cases not found at ${dir}`, {
      hint: 'apt-get install -y libonnx-testdata (or pass the onnx/backend/test/data/node folder)',
    });
  }
  const cases: ConformanceCase[] = [];
  for (const name of readdirSync(dir).sort()) {
    const modelPath = join(dir, name, 'model.onnx');
    if (!existsSync(modelPath)) continue;
    const model = readModelProto(modelPath);
    if (!(model.graph!.node ?? []).every(claimed)) continue;
    cases.push({ name, ...runCase(join(dir, name), modelPath, model) });
  }
  const counts = { pass: 0, unsupported: 0, fail: 0 };
  for (const c of cases) counts[c.status]++;
  return { cases, counts };
}

/** One line per case that did not pass, then the counts. */
export function formatConformance(result: ConformanceResult): string {
  const lines = result.cases
    .filter((c) => c.status !== 'pass')
    .map((c) => `${c.status.padEnd(11)} ${c.name}: ${c.reason ?? ''}`);
  const { pass, unsupported, fail } = result.counts;
  lines.push(`pass ${pass}, unsupported ${unsupported}, fail ${fail}`);
  return lines.join('\n');
}

function claimed(node: NodeProto): boolean {
  return normalizeDomain(node.domain) === '' && findHandler(node.domain, node.opType ?? '')?.evaluate !== undefined;
}

function runCase(caseDir: string, modelPath: string, model: ModelProto): Omit<ConformanceCase, 'name'> {
  const graph = model.graph!;
  const initializers = graphInitializers(model, modelPath);
  const inputs = (graph.input ?? []).filter((vi) => !initializers.has(vi.name ?? ''));
  const outputs = graph.output ?? [];
  for (const [role, vi] of [...inputs.map((vi) => ['input', vi] as const), ...outputs.map((vi) => ['output', vi] as const)]) {
    const problem = unrepresentable(vi);
    if (problem) return { status: 'unsupported', reason: `${role} "${vi.name}" ${problem}` };
  }
  const sets = readdirSync(caseDir).filter((f) => f.startsWith('test_data_set_')).sort();
  if (sets.length === 0) return { status: 'fail', reason: 'no test_data_set_* folder' };
  for (const set of sets) {
    const setDir = join(caseDir, set);
    const read = (file: string) => decodeTensor(onnx.TensorProto.decode(readFileSync(join(setDir, file))), join(setDir, file));
    const seed = new Map(initializers);
    inputs.forEach((vi, i) => seed.set(vi.name ?? '', read(`input_${i}.pb`)));
    let values: Map<string, ConstTensor>;
    try {
      values = evaluateGraph(model, modelPath, seed);
    } catch (e) {
      if (e instanceof BnncError) return { status: 'unsupported', reason: firstLine(e.message).replace(`${modelPath}: `, '') };
      return { status: 'fail', reason: `${set}: evaluate crashed: ${firstLine(String(e))}` };
    }
    for (const [i, vo] of outputs.entries()) {
      const problem = compareOutput(modelPath, graph.node ?? [], values, vo.name ?? '', read(`output_${i}.pb`));
      if (problem) return { status: 'fail', reason: `${set}: output "${vo.name}": ${problem}` };
    }
  }
  return { status: 'pass' };
}

/** Why a graph input or output cannot be a ConstTensor, or null. */
function unrepresentable(vi: ValueInfoProto): string | null {
  const type = vi.type;
  if (type?.sequenceType) return 'is a sequence, not a tensor';
  if (type?.optionalType) return 'is an optional, not a tensor';
  if (!type?.tensorType) return 'is not a tensor';
  const elem = type.tensorType.elemType ?? 0;
  return isRepresentableDataType(elem) ? null : `has dtype ${dataTypeName(elem)}`;
}

function compareOutput(file: string, nodes: NodeProto[], values: Map<string, ConstTensor>, name: string, expected: ConstTensor): string | null {
  const got = values.get(name);
  if (!got) return 'not computed';
  if (got.dims.join() !== expected.dims.join()) return `shape [${got.dims}], expected [${expected.dims}]`;
  if (got.isFloat !== expected.isFloat) return `${got.isFloat ? 'float' : 'integer'} values, expected ${expected.isFloat ? 'float' : 'integer'}`;
  const producer = nodes.find((n) => (n.output ?? []).includes(name));
  const allowed = expected.isFloat && producer ? allowedDifference(producer, values, file) : null;
  for (let i = 0; i < expected.data.length; i++) {
    const [g, x] = [got.data[i], expected.data[i]];
    const equal = Object.is(g, x) || (Number.isNaN(g) && Number.isNaN(x));
    if (equal || (allowed && Math.abs(g - x) <= allowed[i])) continue;
    const bound = allowed ? ` (allowed difference ${allowed[i]})` : '';
    return `first difference at flat index ${i}: got ${g}, expected ${x}${bound}`;
  }
  return null;
}

/**
 * Float comparison. The stored outputs come from numpy in float32; our
 * evaluate rounds every operation to float32 too. For elementwise ops and data
 * movement both perform the same correctly rounded operations (a float64
 * +, -, *, / or sqrt rounded once to float32 equals the float32 operation,
 * since 53 >= 2 * 24 + 2), so the outputs must be bit-identical: no allowance.
 * Pow is compared exactly too: fround(Math.pow) is not guaranteed to equal
 * every libm's powf, but it does on these cases, and a future mismatch should
 * show up as a failure to look at rather than be absorbed by a tolerance.
 *
 * Ops that sum in an order the two sides do not share get the standard
 * forward error bound (Higham, Accuracy and Stability of Numerical Algorithms,
 * 2nd ed., sec. 3.1): any evaluation order of a sum of products with n
 * roundings on the longest path is within gamma(n) * M of the exact value,
 * where M is the same expression on absolute values and
 * gamma(n) = n u / (1 - n u), u = 2^-24. Both sides are, so they differ by at
 * most 2 gamma(n) M per element:
 *   MatMul  n = K (K products and K - 1 additions, any order, FMA or not);
 *   Gemm    n = K + 2 (alpha scaling, beta scaling, the bias addition);
 *   BatchNormalization  n = 6: ours is onnxruntime's x * (g / s) + (b - m * (g / s)),
 *   numpy's is g * (x - m) / s + b with s = sqrt(var + eps); counting the
 *   roundings of each gives at most 6 on any path, with M = |g| (|x| + |m|) / s + |b|;
 *   AveragePool, GlobalAveragePool  n = window size + 1 (the additions and the
 *   division), with M = max |x| (an upper bound of every window's mean of |x|).
 * Returns null (exact comparison) for every other op.
 */
function allowedDifference(node: NodeProto, values: Map<string, ConstTensor>, file: string): Float64Array | null {
  const inputs = (node.input ?? []).map((n) => (n === '' ? null : values.get(n) ?? null));
  const attrs = decodeAttributes(node, file);
  const attr = (name: string, fallback: number) => {
    const v = attrs.get(name);
    return typeof v === 'number' ? v : fallback;
  };
  // isFloat = false makes tensor.ts's matmul accumulate in float64, unrounded.
  const abs = (t: ConstTensor): ConstTensor => ({ dims: t.dims, data: t.data.map(Math.abs), isFloat: false });
  switch (node.opType) {
    case 'MatMul': {
      const [a, b] = inputs as ConstTensor[];
      return bound(a.dims[a.dims.length - 1], matmul(abs(a), abs(b))!.data);
    }
    case 'Gemm': {
      let [a, b] = inputs as ConstTensor[];
      const c = inputs[2];
      if (attr('transA', 0)) a = transpose(a);
      if (attr('transB', 0)) b = transpose(b);
      const product = matmul(abs(a), abs(b))!;
      const [alpha, beta] = [Math.abs(attr('alpha', 1)), Math.abs(attr('beta', 1))];
      const cIndex = c ? broadcastIndex(c.dims, product.dims) : null;
      const m = product.data.map((p, i) => alpha * p + (c ? beta * Math.abs(c.data[cIndex![i]]) : 0));
      return bound(a.dims[1] + 2, m);
    }
    case 'BatchNormalization': {
      const [x, g, b, mean, variance] = inputs as ConstTensor[];
      const eps = attr('epsilon', 1e-5);
      const channels = x.dims[1] ?? 1;
      const spatial = x.data.length / ((x.dims[0] ?? 1) * channels);
      const m = x.data.map((v, i) => {
        const c = Math.floor(i / spatial) % channels;
        return (Math.abs(g.data[c]) * (Math.abs(v) + Math.abs(mean.data[c]))) / Math.sqrt(variance.data[c] + eps) + Math.abs(b.data[c]);
      });
      return bound(6, m);
    }
    case 'AveragePool':
    case 'GlobalAveragePool': {
      const x = inputs[0] as ConstTensor;
      const kernel = attrs.get('kernel_shape');
      const window = node.opType === 'GlobalAveragePool' ? x.data.length / (x.dims[0] * x.dims[1])
        : Array.isArray(kernel) ? kernel.reduce((a, b) => a * b, 1) : 1;
      const maxAbs = x.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const outputs = values.get((node.output ?? [])[0] ?? '');
      return bound(window + 1, new Float64Array(outputs?.data.length ?? 0).fill(maxAbs));
    }
    default:
      return null;
  }
}

function bound(n: number, magnitude: Float64Array): Float64Array {
  const u = 2 ** -24;
  const gamma = (n * u) / (1 - n * u);
  return magnitude.map((m) => 2 * gamma * m);
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
