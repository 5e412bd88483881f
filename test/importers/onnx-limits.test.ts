/**
 * Sizes and attributes from an ONNX file are checked before they are used:
 * each hostile value gives a BnncError naming the node (never "Invalid typed
 * array length", a hang or NaN thresholds), and the unmodified model imports.
 */
import { describe, expect, it } from 'vitest';
import { BnncError } from '../../src/errors.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { onnx } from '../../src/importers/onnx/proto.ts';
import { runPasses } from '../../src/passes/index.ts';
import { binaryCnn } from '../helpers/onnxBuilder.ts';

type ModelProto = import('onnx-proto').onnx.ModelProto;
type NodeProto = import('onnx-proto').onnx.INodeProto;

const CNN = binaryCnn({ input: [1, 8, 8], convs: [{ out: 4, kernel: 3, pads: 1, poolAfter: true }], dense: [3], seed: 2, inputType: 'uint8' });

function node(m: ModelProto, name: string): NodeProto {
  return m.graph!.node!.find((n) => n.name === name)!;
}

function setInts(n: NodeProto, name: string, ints: number[]): void {
  n.attribute = [...(n.attribute ?? []).filter((a) => a.name !== name), { name, type: 7, ints }];
}

function init(m: ModelProto, name: string) {
  return m.graph!.initializer!.find((t) => t.name === name)!;
}

/** Imports the CNN after `edit`, and returns the error message (or fails when it imports). */
function importError(edit: (m: ModelProto) => void): string {
  const m = onnx.ModelProto.decode(CNN);
  edit(m);
  try {
    runPasses(importOnnx('hostile.onnx', {}, onnx.ModelProto.encode(m).finish()));
  } catch (e) {
    expect(e).toBeInstanceOf(BnncError);
    return (e as Error).message;
  }
  throw new Error('the hostile model was accepted');
}

/** A Sign replaced by a custom node reading the same input plus one new initializer. */
function graft(m: ModelProto, signName: string, opType: string, domain: string, extra: { name: string; dims: number[]; floatData: number[] }, attrs: NodeProto['attribute'] = []): void {
  const n = node(m, signName);
  m.graph!.initializer!.push({ ...extra, dataType: 1 });
  Object.assign(n, { opType, domain, input: [n.input![0], extra.name], attribute: attrs });
}

describe('ONNX sizes and attributes are validated at import', () => {
  it('imports the unmodified CNN', () => {
    expect(runPasses(importOnnx('cnn.onnx', {}, CNN)).layers.length).toBeGreaterThan(0);
  });

  it.each([
    ['a negative initializer dim', (m: ModelProto) => { init(m, 'dw0').dims = [-64, 3]; }, /initializer "dw0": tensor dims: dimension 0 is -64/],
    ['a huge initializer dim', (m: ModelProto) => { init(m, 'dw0').dims = [1e12, 3]; }, /initializer "dw0": tensor dims: shape \[1000000000000,3\] holds more than/],
    ['dims that do not match the data', (m: ModelProto) => { init(m, 'dw0').dims = [63, 3]; }, /initializer "dw0": tensor holds 192 values, its dims say 189/],
    ['a zero input dim', (m: ModelProto) => { m.graph!.input![0].type!.tensorType!.shape!.dim![2] = { dimValue: 0 }; }, /input "input" has a zero dimension 2/],
    ['a huge input dim', (m: ModelProto) => { m.graph!.input![0].type!.tensorType!.shape!.dim![2] = { dimValue: 2 ** 40 }; }, /input "input": shape .* holds more than 16777216 elements/],
    ['strides = 0', (m: ModelProto) => setInts(node(m, 'conv0'), 'strides', [0, 1]), /node "conv0" \(Conv\): strides \[0,1\]/],
    ['pads of 1e9', (m: ModelProto) => setInts(node(m, 'conv0'), 'pads', [1e9, 1, 1, 1]), /node "conv0" \(Conv\): pads \[1000000000,1,1,1\]/],
    ['negative pads', (m: ModelProto) => setInts(node(m, 'conv0'), 'pads', [-1, 1, 1, 1]), /node "conv0" \(Conv\): pads \[-1,1,1,1\]/],
    ['three pads', (m: ModelProto) => setInts(node(m, 'conv0'), 'pads', [1, 1, 1]), /node "conv0" \(Conv\): pads \[1,1,1\]\n {2}expected: 4 whole numbers/],
    ['dilations of 0', (m: ModelProto) => setInts(node(m, 'conv0'), 'dilations', [0, 0]), /node "conv0" \(Conv\): dilations \[0,0\]/],
    ['a pooling kernel of 1e9', (m: ModelProto) => setInts(node(m, 'post_pool0'), 'kernel_shape', [1e9, 2]), /node "post_pool0" \(MaxPool\): kernel 1000000000x2/],
    ['a huge conv kernel', (m: ModelProto) => { init(m, 'cw0').dims = [4, 1, 3, 3]; setInts(node(m, 'conv0'), 'kernel_shape', [300, 3]); }, /node "conv0" \(Conv\): kernel_shape \[300,3\] does not match the 3x3 weights/],
    ['a string where strides belong', (m: ModelProto) => { node(m, 'conv0').attribute!.find((a) => a.name === 'strides')!.type = 3; }, /node "conv0" \(Conv\): attribute strides is ""/],
    ['NaN weights in front of Sign', (m: ModelProto) => { init(m, 'cw0').floatData![5] = Number.NaN; }, /node "Sign_1" \(Sign\): the input holds NaN at flat index 5/],
    ['a zero-element input scale', (m: ModelProto) => { Object.assign(init(m, 'scale'), { dims: [0], floatData: [] }); }, /node "Div_0" \(Div\): the constant operand: shape \[0\] has no elements/],
    ['a Flatten axis beyond the rank', (m: ModelProto) => { node(m, 'Flatten_6').attribute = [{ name: 'axis', type: 2, i: 9 }]; }, /node "Flatten_6" \(Flatten\): axis 9 is out of range/],
    ['a MatMul without its weights', (m: ModelProto) => { node(m, 'fc0').input = ['flat']; }, /node "fc0" \(MatMul\): input 1 is missing/],
    ['MultiThreshold thresholds of shape [0, 1]', (m: ModelProto) => graft(m, 'csign0', 'MultiThreshold', 'finn.custom_op.general', { name: 't', dims: [0, 1], floatData: [] },
      [{ name: 'out_scale', type: 1, f: 2 }, { name: 'out_bias', type: 1, f: -1 }]), /node "csign0" \(MultiThreshold\): thresholds of shape \[0,1\]/],
    ['BipolarQuant with a zero-element scale', (m: ModelProto) => graft(m, 'csign0', 'BipolarQuant', 'qonnx.custom_op.general', { name: 's', dims: [0], floatData: [] }),
      /node "csign0" \(BipolarQuant\): activation quantizer with a scale other than 1/],
    ['NaN weights in front of BipolarQuant', (m: ModelProto) => {
      init(m, 'dw0').floatData![7] = Number.NaN;
      graft(m, 'Sign_7', 'BipolarQuant', 'qonnx.custom_op.general', { name: 'q', dims: [], floatData: [1] });
    }, /node "Sign_7" \(BipolarQuant\): the quantized tensor holds NaN at flat index 7/],
  ])('%s', (_what, edit, message) => {
    expect(importError(edit)).toMatch(message);
  });
});
