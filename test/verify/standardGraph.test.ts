/**
 * QONNX/FINN custom ops rewritten as standard ONNX (src/reference/standardGraph.ts)
 * and run by onnxruntime give exactly what bnnc's interpreter gives from the
 * op definitions, on the values where a comparison can go wrong: each
 * threshold, the float32 steps beside it, +0 and -0, the smallest subnormals,
 * infinities and NaN (MultiThreshold), at opset 9 (Greater against the next
 * float32 below) and opset 13 (GreaterOrEqual).
 */
import { describe, expect, it } from 'vitest';
import { onnx, readModelProto, type ModelProto } from '../../src/importers/onnx/proto.ts';
import { OnnxInterpreter } from '../../src/reference/interpreter.ts';
import { loadOnnxRuntime, OnnxRuntimeReference } from '../../src/reference/onnxruntime.ts';
import { nextFloat32Below, standardizeCustomOps } from '../../src/reference/standardGraph.ts';
import { buildOnnx, type NodeSpec } from '../helpers/onnxBuilder.ts';

const loaded = loadOnnxRuntime();
const TINY = 2 ** -149;

function nextFloat32Above(t: number): number {
  return -nextFloat32Below(-t);
}

/** Values around each threshold, then the special ones. */
function adversarial(thresholds: number[], withNaN: boolean): number[] {
  const around = thresholds.flatMap((t) => [t, nextFloat32Below(t), nextFloat32Above(t)]);
  return [...around, 0, -0, TINY, -TINY, 2 * TINY, -2 * TINY, Infinity, -Infinity, 1, -1, ...(withNaN ? [NaN] : [])];
}

function graph(node: NodeSpec, inputShape: number[], initializers: Record<string, { dims: number[]; data: number[] }>, opset: number): ModelProto {
  const proto = readModelProto('t.onnx', buildOnnx({ inputShape, nodes: [node], initializers, output: 'y' }));
  proto.opsetImport = [onnx.OperatorSetIdProto.create({ domain: '', version: opset }), onnx.OperatorSetIdProto.create({ domain: node.domain!, version: 1 })];
  return proto;
}

async function bothEngines(proto: ModelProto, dims: number[], input: Float64Array): Promise<{ ort: Float64Array; interpreter: Float64Array }> {
  if ('unavailable' in loaded) throw new Error(loaded.unavailable);
  const ranks = (name: string) => (name === 'input' ? dims.length : 0);
  const standard = standardizeCustomOps(proto, 't.onnx', ranks);
  expect(standard).not.toBeNull();
  expect((standard!.graph!.node ?? []).every((n) => !n.domain)).toBe(true);
  const session = await OnnxRuntimeReference.create(loaded.ort, standard!, dims, ['y']);
  const ort = (await session.run(input, ['y'])).get('y')!;
  const interpreter = new OnnxInterpreter(proto, 't.onnx', dims).run(input, ['y']).get('y')!;
  return { ort, interpreter };
}

describe.skipIf('unavailable' in loaded)('custom ops through onnxruntime', () => {
  for (const opset of [9, 13]) {
    it(`MultiThreshold, per channel (4-D NCHW, 2 steps, out_scale 0.75, out_bias -1.5), opset ${opset}`, async () => {
      const thresholds = [[-0.5, 0.25], [0, 3], [1e-30, 7.5]];
      const perChannel = thresholds.map((row) => adversarial(row, true));
      const spatial = Math.max(...perChannel.map((v) => v.length));
      const dims = [1, 3, 1, spatial];
      const input = new Float64Array(3 * spatial);
      perChannel.forEach((values, c) => values.forEach((v, i) => { input[c * spatial + i] = v; }));
      const proto = graph({ op: 'MultiThreshold', domain: 'finn.custom_op.general', inputs: ['input', 'thr'], outputs: ['y'],
        attrs: { out_scale: 0.75, out_bias: -1.5, out_dtype: 'INT2' } }, dims, { thr: { dims: [3, 2], data: thresholds.flat() } }, opset);
      const { ort, interpreter } = await bothEngines(proto, dims, input);
      expect([...ort]).toEqual([...interpreter]);
      expect(new Set(interpreter)).toEqual(new Set([-1.5, -0.75, 0]));
    });

    it(`MultiThreshold, bipolar with one global threshold (2-D), opset ${opset}`, async () => {
      const values = adversarial([0.5, -0.5, 0], true);
      const dims = [1, values.length];
      const proto = graph({ op: 'MultiThreshold', domain: 'finn.custom_op.general', inputs: ['input', 'thr'], outputs: ['y'],
        attrs: { out_scale: 2, out_bias: -1, out_dtype: 'BIPOLAR' } }, dims, { thr: { dims: [1, 1], data: [0] } }, opset);
      const { ort, interpreter } = await bothEngines(proto, dims, Float64Array.from(values));
      expect([...ort]).toEqual([...interpreter]);
    });

    it(`BipolarQuant with scales 1 and 0.5, opset ${opset}`, async () => {
      for (const scale of [1, 0.5]) {
        const values = adversarial([0, 1], false).filter(Number.isFinite);
        const dims = [1, values.length];
        const proto = graph({ op: 'BipolarQuant', domain: 'qonnx.custom_op.general', inputs: ['input', 's'], outputs: ['y'] }, dims,
          { s: { dims: [], data: [scale] } }, opset);
        const { ort, interpreter } = await bothEngines(proto, dims, Float64Array.from(values));
        expect([...ort]).toEqual([...interpreter]);
        expect(interpreter[values.indexOf(-0)]).toBe(scale);
        expect(interpreter[values.indexOf(-TINY)]).toBe(-scale);
      }
    });
  }

  it('leaves a graph with another custom op to the interpreter', () => {
    const proto = graph({ op: 'Quant', domain: 'qonnx.custom_op.general', inputs: ['input', 's'], outputs: ['y'] }, [1, 4], { s: { dims: [], data: [1] } }, 13);
    expect(standardizeCustomOps(proto, 't.onnx', () => 2)).toBeNull();
  });
});
