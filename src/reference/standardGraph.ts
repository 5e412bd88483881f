/**
 * QONNX/FINN custom ops rewritten as standard ONNX nodes with the same float32
 * results, so onnxruntime (graph optimisations disabled) can be the reference
 * for those graphs too. The rewrite reads the source graph only (never the
 * lowered model) and keeps every tensor name, so the probes of the reference
 * (each sign's input and output, the logits) are the same tensors.
 *
 *   BipolarQuant(x, s)    = (x >= 0 ? +1 : -1) * s
 *       -> Mul(Sub(Mul(Cast(x >= 0), 2), 1), s)           (+-1 times s: exact)
 *   MultiThreshold(x, T)  = levels[#{t : x >= T[c][t]}],  levels[k] = f32(out_bias + out_scale k)
 *       -> Gather(levels, Cast(sum_t Cast(x >= T[:, t]), int64))   (small integer counts: exact)
 *
 * `x >= t` is GreaterOrEqual from opset 12 on; before, Greater(x, t⁻) with t⁻
 * the next float32 below t, which is the same comparison for every float32 x
 * (no float32 lies strictly between t⁻ and t; NaN compares false in both; for
 * t = 0, t⁻ is the smallest negative subnormal, so this relies on onnxruntime
 * keeping subnormals, its default: session.set_denormal_as_zero is off). The
 * thresholds broadcast along the channel axis that the op's evaluation uses
 * (multiThresholdChannelAxis). A graph with any other custom op, a threshold
 * tensor that is not an initializer, or an opset below 7 (where onnxruntime
 * does not go) is not rewritten: bnnc's interpreter runs it.
 */
import { decodeAttributes, decodeTensor, onnx, toNumber, type ModelProto, type NodeProto, type TensorProto } from '../importers/onnx/proto.ts';
import { normalizeDomain } from '../importers/onnx/ops/index.ts';
import { dataLayout, multiThresholdChannelAxis, multiThresholdLevels } from '../importers/onnx/ops/multithreshold.ts';
import { nodeLabel } from '../importers/onnx/import.ts';

const FLOAT = 1, INT64 = 7;
const BIPOLAR_QUANT_DOMAINS = new Set(['onnx.brevitas', 'qonnx.custom_op.general']);
const MULTI_THRESHOLD_DOMAINS = new Set(['finn.custom_op.general', 'qonnx.custom_op.general']);

/** The next float32 below t (t finite). */
export function nextFloat32Below(t: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, t);
  if (t === 0) return -(2 ** -149);
  view.setInt32(0, view.getInt32(0) + (t > 0 ? -1 : 1));
  return view.getFloat32(0);
}

/** Builds the replacement nodes; every name it makes starts with the replaced node's first output. */
class NodeWriter {
  readonly nodes: NodeProto[] = [];
  private counter = 0;

  constructor(private readonly prefix: string, private readonly opset: number) {}

  private fresh(what: string): string {
    return `${this.prefix}__bnnc_${what}_${this.counter++}`;
  }

  node(opType: string, inputs: string[], attrs: Record<string, number> = {}, output = this.fresh(opType)): string {
    const attribute = Object.entries(attrs).map(([name, i]) => onnx.AttributeProto.create({ name, type: 2, i }));
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [output], attribute }));
    return output;
  }

  constant(dims: number[], values: ArrayLike<number>, type = FLOAT): string {
    const t = onnx.TensorProto.create({ dims, dataType: type });
    if (type === FLOAT) t.floatData = Array.from(values);
    else t.int64Data = Array.from(values);
    const output = this.fresh('const');
    this.nodes.push(onnx.NodeProto.create({ opType: 'Constant', output: [output], attribute: [onnx.AttributeProto.create({ name: 'value', type: 4, t })] }));
    return output;
  }

  /** Float 1 where x >= t (t: a constant broadcasting onto x), else 0. */
  atLeast(x: string, dims: number[], thresholds: ArrayLike<number>): string {
    const cmp = this.opset >= 12
      ? this.node('GreaterOrEqual', [x, this.constant(dims, thresholds)])
      : this.node('Greater', [x, this.constant(dims, Array.from(thresholds, nextFloat32Below))]);
    return this.node('Cast', [cmp], { to: FLOAT });
  }
}

function bipolarQuant(node: NodeProto, w: NodeWriter): void {
  const [x, scale] = node.input!;
  const ones = w.node('Sub', [w.node('Mul', [w.atLeast(x, [], [0]), w.constant([], [2])]), w.constant([], [1])]);
  w.node('Mul', [ones, scale], {}, node.output![0]);
}

/** Null when the thresholds are not an initializer (the interpreter then runs the graph). */
function multiThreshold(node: NodeProto, index: number, w: NodeWriter, file: string, initializers: Map<string, TensorProto>,
  rankOf: (tensor: string) => number): boolean {
  const init = initializers.get(node.input![1]);
  if (!init) return false;
  const thr = decodeTensor(init, file);
  const info = { file, node, label: nodeLabel(node, index), attrs: decodeAttributes(node, file) };
  const [rows, steps] = thr.dims;
  if (thr.dims.length !== 2 || steps < 1) return false;
  let dims: number[] = [];
  if (rows !== 1) {
    const rank = rankOf(node.input![0]);
    const axis = multiThresholdChannelAxis(rank, dataLayout(info));
    dims = [rows, ...new Array(rank - 1 - axis).fill(1)];
  }
  let count: string | null = null;
  for (let t = 0; t < steps; t++) {
    const column = Array.from({ length: rows }, (_, c) => thr.data[c * steps + t]);
    const hit = w.atLeast(node.input![0], dims, column);
    count = count === null ? hit : w.node('Add', [count, hit]);
  }
  const levels = w.constant([steps + 1], multiThresholdLevels(info, steps));
  w.node('Gather', [levels, w.node('Cast', [count!], { to: INT64 })], { axis: 0 }, node.output![0]);
  return true;
}

/** The default domain's opset version the graph imports. */
function defaultOpset(model: ModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => normalizeDomain(o.domain) === '');
  return entry ? toNumber(entry.version) : 0;
}

/**
 * A copy of the graph with BipolarQuant and MultiThreshold replaced by standard
 * nodes, or null when it cannot be (see the header). `rankOf` gives the rank of
 * a tensor (asked only for per-channel thresholds).
 */
export function standardizeCustomOps(model: ModelProto, file: string, rankOf: (tensor: string) => number): ModelProto | null {
  const opset = defaultOpset(model);
  if (opset < 7) return null;
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const graph = copy.graph!;
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const nodes: NodeProto[] = [];
  const thresholdNames = new Set<string>();
  for (const [index, node] of (graph.node ?? []).entries()) {
    const domain = normalizeDomain(node.domain);
    if (domain === '') { nodes.push(node); continue; }
    const w = new NodeWriter(node.output?.[0] ?? `node${index}`, opset);
    if (node.opType === 'BipolarQuant' && BIPOLAR_QUANT_DOMAINS.has(domain) && (node.input ?? []).length === 2) bipolarQuant(node, w);
    else if (node.opType === 'MultiThreshold' && MULTI_THRESHOLD_DOMAINS.has(domain) && (node.input ?? []).length === 2) {
      if (!multiThreshold(node, index, w, file, initializers, rankOf)) return null;
      thresholdNames.add(node.input![1]);
    } else return null;
    nodes.push(...w.nodes);
  }
  graph.node = nodes;
  // The thresholds now live in Constant nodes; onnxruntime warns about initializers no node reads.
  const read = new Set(nodes.flatMap((n) => n.input ?? []));
  graph.initializer = (graph.initializer ?? []).filter((t) => read.has(t.name ?? '') || !thresholdNames.has(t.name ?? ''));
  graph.input = (graph.input ?? []).filter((i) => read.has(i.name ?? '') || !thresholdNames.has(i.name ?? ''));
  copy.opsetImport = (copy.opsetImport ?? []).filter((o) => normalizeDomain(o.domain) === '');
  return copy;
}
