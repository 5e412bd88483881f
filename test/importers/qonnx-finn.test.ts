/**
 * The two published networks from other tools (examples/peer-models): QONNX
 * (Brevitas BipolarQuant) and FINN-ONNX (MultiThreshold, TopK). Both must
 * import, compile, verify bit-exact and reproduce their float behaviour.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/index.ts';
import { emulate } from '../../src/emulator/index.ts';
import { loadModel } from '../../src/importers/index.ts';
import { runPasses } from '../../src/passes/index.ts';
import { loadOnnxRuntime } from '../../src/reference/onnxruntime.ts';
import { verifyAgainstReference, verifyOnHost } from '../../src/verify/verify.ts';

const QONNX = 'examples/peer-models/qonnx-tfc-w1a1/TFC_1W1A.onnx';
const FINN = 'examples/peer-models/finn-tfc-w1a1/model.onnx';
const MNIST = 'datasets/mnist-test';

describe('QONNX and FINN-ONNX imports', () => {
  it('FINN: the shipped input.npy gives the shipped expected_output.npy [7, 2, 1, 0]', () => {
    const lowered = runPasses(loadModel(FINN));
    const data = loadDataset('examples/peer-models/finn-tfc-w1a1/input.npy');
    const expected = loadDataset('examples/peer-models/finn-tfc-w1a1/expected_output.npy');
    const predictions = Array.from({ length: data.samples }, (_, s) => emulate(lowered, Array.from(data.inputs.subarray(s * 784, (s + 1) * 784))).prediction);
    expect(predictions).toEqual(Array.from(expected.inputs));
    expect(predictions).toEqual([7, 2, 1, 0]);
  });

  it('QONNX and FINN lower to the same integer network (same trained weights)', () => {
    const q = runPasses(loadModel(QONNX));
    const f = runPasses(loadModel(FINN));
    expect(q.layers.map((l) => l.kind)).toEqual(['binarize_input', 'dense_b1', 'dense_b1', 'dense_b1', 'dense_b1_scores']);
    for (let i = 1; i < q.layers.length; i++) {
      const [a, b] = [q.layers[i], f.layers[i]];
      if (!('weights' in a) || !('weights' in b)) throw new Error('expected weights');
      expect(b.weights).toEqual(a.weights);
    }
  });

  for (const [name, path, scale] of [['QONNX', QONNX, 1 / 255], ['FINN', FINN, undefined]] as const) {
    it(`${name}: bit-exact host C, every activation equal to the float reference`, async () => {
      const model = loadModel(path);
      const report = await verifyOnHost(model, runPasses(model), { data: MNIST, limit: 1000, scale, noSanitize: true });
      expect(report.bitExact.host).toEqual({ equal: 1000, total: 1000 });
      // onnxruntime runs the graph with BipolarQuant/MultiThreshold rewritten as standard nodes (reference/standardGraph.ts).
      expect(report.reference!.engine).toBe(loadOnnxRuntime().hasOwnProperty('ort') ? 'onnxruntime' : 'bnnc-onnx-interpreter');
      expect(report.reference!.activations.equal).toBe(report.reference!.activations.total);
      expect(report.reference!.argmaxEqual).toBe(1000);
      // 91.3 % on the first 1000 test images; 92.96 % on all 10,000 (README).
      expect(report.accuracy).toBe(0.913);
    });

    it(`${name}: bnnc's interpreter as the reference agrees on every activation`, async () => {
      const model = loadModel(path);
      const lowered = runPasses(model);
      const stats = await verifyAgainstReference(model, lowered, loadDataset(MNIST, { limit: 300, scale }), 'interpreter');
      expect(stats.engine).toBe('bnnc-onnx-interpreter');
      expect(stats.activations.equal).toBe(stats.activations.total);
      expect(stats.argmaxEqual).toBe(300);
    });
  }
});
