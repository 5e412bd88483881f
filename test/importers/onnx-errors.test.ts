/** Every importer error: one clear message naming the file, the node and what was expected. */
import { describe, expect, it } from 'vitest';
import { BnncError } from '../../src/errors.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';
import { binaryMlp, buildOnnx, type ModelSpec } from '../helpers/onnxBuilder.ts';

function importError(bytes: Uint8Array, lower = false): BnncError {
  try {
    const m = importOnnx('bad.onnx', {}, bytes);
    if (lower) runPasses(m);
  } catch (e) {
    expect(e).toBeInstanceOf(BnncError);
    expect((e as Error).message).toContain('bad.onnx');
    return e as BnncError;
  }
  throw new Error('expected an import error');
}

const dense = (extra: Partial<ModelSpec> = {}): ModelSpec => ({
  inputShape: [1, 4],
  nodes: [
    { op: 'MatMul', inputs: ['input', 'w'], outputs: ['y'], name: 'fc1' },
  ],
  initializers: { w: { dims: [4, 2], data: [1, -1, 1, 1, -1, -1, 1, -1] } },
  output: 'y',
  metadata: { 'bnnc.input_type': 'uint8' },
  ...extra,
});

describe('ONNX importer errors', () => {
  it('rejects a file that is not protobuf (wrong magic)', () => {
    const e = importError(new TextEncoder().encode('PK\u0003\u0004 this is a zip file, not onnx'));
    expect(e.message).toMatch(/ONNX/);
  });

  it('rejects a truncated model', () => {
    const bytes = binaryMlp({ widths: [8, 4, 2], seed: 1, input: 'uint8' });
    const e = importError(bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(e.message).toMatch(/truncated|not a readable ONNX|no ONNX graph/);
  });

  it('lists every unsupported node with name, op type and domain', () => {
    const e = importError(buildOnnx(dense({
      nodes: [
        { op: 'Relu', inputs: ['input'], outputs: ['a'], name: 'relu_1' },
        { op: 'MatMul', inputs: ['a', 'w'], outputs: ['b'], name: 'fc1' },
        { op: 'Softmax', inputs: ['b'], outputs: ['y'], name: 'softmax_out' },
        { op: 'Frobnicate', inputs: ['y'], outputs: ['z'], name: 'custom', domain: 'com.example' },
      ],
      output: 'z',
    })));
    expect(e.message).toContain('3 unsupported node(s)');
    expect(e.message).toContain('"relu_1": Relu (domain "ai.onnx")');
    expect(e.message).toContain('"softmax_out": Softmax');
    expect(e.message).toContain('"custom": Frobnicate (domain "com.example")');
  });

  it('rejects dynamic dimensions other than the batch axis', () => {
    const e = importError(buildOnnx(dense({ inputShape: ['batch', 'features'] })));
    expect(e.message).toMatch(/dynamic dimension 1/);
  });

  it('accepts a symbolic batch axis', () => {
    expect(() => importOnnx('ok.onnx', {}, buildOnnx(dense({ inputShape: ['batch', 4] })))).not.toThrow();
  });

  it('rejects shapes that do not chain, naming the node', () => {
    const e = importError(buildOnnx(dense({ inputShape: [1, 5] })));
    expect(e.message).toContain('node "fc1" (MatMul)');
    expect(e.message).toMatch(/shape \[1,5\].*\[1, 4\]/);
  });

  it('rejects NaN weights, naming the node and index', () => {
    const e = importError(buildOnnx(dense({ initializers: { w: { dims: [4, 2], data: [1, -1, NaN, 1, -1, -1, 1, -1] } } })));
    expect(e.message).toContain('NaN at flat index 2');
    expect(e.message).toContain('fc1');
  });

  it('rejects weights that are not +/-1 after folding, with the ONNX Sign(0) hint', () => {
    const e = importError(buildOnnx(dense({
      nodes: [
        { op: 'Sign', inputs: ['wf'], outputs: ['w'], name: 'sign_w' },
        { op: 'MatMul', inputs: ['input', 'w'], outputs: ['y'], name: 'fc1' },
      ],
      initializers: { wf: { dims: [4, 2], data: [0.5, -1, 0, 1, -1, -1, 1, -1] } },
    })), true);
    expect(e.message).toContain('weight [0, 1] is 0');
    expect(e.message).toMatch(/sign\(0\) = \+1/);
  });

  it('rejects a graph that is not sequential', () => {
    const e = importError(buildOnnx(dense({
      nodes: [
        { op: 'MatMul', inputs: ['input', 'w'], outputs: ['a'], name: 'fc1' },
        { op: 'Add', inputs: ['a', 'input'], outputs: ['y'], name: 'residual' },
      ],
    })));
    expect(e.message).toContain('node "residual"');
    expect(e.message).toMatch(/sequential/);
  });

  it('rejects MultiThreshold with more than one threshold, naming the node', () => {
    const e = importError(buildOnnx({
      inputShape: [1, 4],
      nodes: [{ op: 'MultiThreshold', domain: 'finn.custom_op.general', inputs: ['input', 't'], outputs: ['y'], name: 'mt0', attrs: { out_scale: 2.0, out_bias: -1.0 } }],
      initializers: { t: { dims: [4, 3], data: Array.from({ length: 12 }, (_, i) => i) } },
      output: 'y',
    }));
    expect(e.message).toContain('node "mt0" (MultiThreshold)');
    expect(e.message).toMatch(/3 thresholds per channel/);
  });

  it('rejects float input into the first dense layer with a hint to declare the input type', () => {
    const e = importError(buildOnnx(dense({ metadata: {} })), true);
    expect(e.message).toMatch(/--input-type uint8/);
  });
});

describe('convolution import errors name the node and what is supported', () => {
  const conv = (attrs: Record<string, number | number[] | string>, extraNodes: ModelSpec['nodes'] = [], input: (number | string)[] = [1, 1, 6, 6]) => buildOnnx({
    inputShape: input,
    nodes: [
      { op: 'Conv', inputs: ['input', 'w'], outputs: ['c'], name: 'conv_a', attrs },
      ...extraNodes,
    ],
    initializers: { w: { dims: [4, Number(input[1]) / (typeof attrs.group === 'number' ? attrs.group : 1), 3, 3], data: Array(4 * 9 * (Number(input[1]) / (typeof attrs.group === 'number' ? attrs.group : 1))).fill(1) } },
    output: extraNodes.length ? extraNodes[extraNodes.length - 1].outputs[0] : 'c',
    metadata: { 'bnnc.input_type': 'uint8' },
  });

  it('a group count that does not divide the channels', () => {
    const e = importError(conv({ kernel_shape: [3, 3], group: 3 }, [], [1, 3, 6, 6]));
    expect(e.message).toContain('node "conv_a" (Conv)');
    expect(e.message).toMatch(/group = 3 for 3 input and 4 output channels/);
  });

  it('a grouped or dilated convolution on the model input (integer input): refused at lowering, naming the layer', () => {
    const sign = [{ op: 'Sign', inputs: ['c'], outputs: ['s'], name: 'sign_a' }];
    const e = importError(conv({ kernel_shape: [3, 3], group: 2 }, sign, [1, 2, 6, 6]), true);
    expect(e.message).toMatch(/conv_a.*grouped \(2 groups\) convolution on the model input/);
    const d = importError(conv({ kernel_shape: [3, 3], dilations: [2, 2] }, sign), true);
    expect(d.message).toMatch(/dilated \(2x2\) convolution on the model input/);
  });

  it('a dilated max-pool', () => {
    const e = importError(conv({ kernel_shape: [3, 3] }, [
      { op: 'MaxPool', inputs: ['c'], outputs: ['p'], name: 'pool_a', attrs: { kernel_shape: [2, 2], dilations: [2, 2] } },
    ]));
    expect(e.message).toContain('node "pool_a" (MaxPool)');
    expect(e.message).toMatch(/dilation 1/);
  });

  it('an average pool with padding', () => {
    const e = importError(conv({ kernel_shape: [3, 3] }, [
      { op: 'AveragePool', inputs: ['c'], outputs: ['p'], name: 'pool_a', attrs: { kernel_shape: [2, 2], pads: [1, 1, 1, 1] } },
    ]));
    expect(e.message).toContain('node "pool_a" (AveragePool)');
    expect(e.message).toMatch(/without padding/);
  });

  const padded = (pad: ModelSpec['nodes'][number], after: ModelSpec['nodes'] = []) => buildOnnx({
    inputShape: [1, 1, 6, 6],
    nodes: [
      { op: 'Conv', inputs: ['input', 'w'], outputs: ['c'], name: 'conv_a', attrs: { kernel_shape: [3, 3] } },
      { op: 'Sign', inputs: ['c'], outputs: ['s'], name: 'sign_a' },
      pad,
      ...after,
    ],
    initializers: {
      w: { dims: [4, 1, 3, 3], data: Array(36).fill(1) }, w2: { dims: [2, 4, 3, 3], data: Array(72).fill(1) },
      pads: { dims: [8], data: [0, 0, 1, 1, 0, 0, 1, 1], int64: true }, one: { dims: [], data: [1] },
    },
    output: after.length ? after[after.length - 1].outputs[0] : 'p',
    metadata: { 'bnnc.input_type': 'uint8' },
  });
  const conv2 = { op: 'Conv', inputs: ['p', 'w2'], outputs: ['c2'], name: 'conv_b', attrs: { kernel_shape: [3, 3] } };

  it('a Pad with a non-zero value, another mode, or before a max-pool: refused naming the Pad', () => {
    const valued = importError(padded({ op: 'Pad', inputs: ['s', 'pads', 'one'], outputs: ['p'], name: 'pad_a' }, [conv2]));
    expect(valued.message).toContain('node "pad_a" (Pad)');
    expect(valued.message).toMatch(/pad value 1/);
    const reflect = importError(padded({ op: 'Pad', inputs: ['s', 'pads'], outputs: ['p'], name: 'pad_a', attrs: { mode: 'reflect' } }, [conv2]));
    expect(reflect.message).toMatch(/node "pad_a" \(Pad\).*mode reflect/);
    const beforePool = importError(padded({ op: 'Pad', inputs: ['s', 'pads'], outputs: ['p'], name: 'pad_a' },
      [{ op: 'MaxPool', inputs: ['p'], outputs: ['q'], name: 'pool_a', attrs: { kernel_shape: [2, 2] } }]));
    expect(beforePool.message).toMatch(/node "pad_a" \(Pad\).*node "pool_a" \(MaxPool\) follows it/s);
    const last = importError(padded({ op: 'Pad', inputs: ['s', 'pads'], outputs: ['p'], name: 'pad_a' }));
    expect(last.message).toMatch(/it ends the graph/);
  });

  it('a per-channel Normalize in front of an integer RGB convolution (the channels would need different scales)', () => {
    const e = importError(buildOnnx({
      inputShape: [1, 3, 6, 6],
      nodes: [
        { op: 'Sub', inputs: ['input', 'mean'], outputs: ['centered'], name: 'normalize' },
        { op: 'Conv', inputs: ['centered', 'w'], outputs: ['c'], name: 'conv_rgb', attrs: { kernel_shape: [3, 3] } },
        { op: 'Sign', inputs: ['c'], outputs: ['s'] },
        { op: 'Flatten', inputs: ['s'], outputs: ['f'] },
        { op: 'MatMul', inputs: ['f', 'd'], outputs: ['y'] },
      ],
      initializers: {
        mean: { dims: [1, 3, 1, 1], data: [124, 116, 104] },
        w: { dims: [2, 3, 3, 3], data: Array(54).fill(-1) }, d: { dims: [32, 2], data: Array(64).fill(1) },
      },
      output: 'y',
      metadata: { 'bnnc.input_type': 'uint8' },
    }), true);
    expect(e.message).toContain('normalize');
    expect(e.message).toMatch(/per-feature input scaling in front of an integer-input layer/);
  });
});
