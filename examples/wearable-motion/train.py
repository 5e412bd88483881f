#!/usr/bin/python3
"""Train the wearable-motion binary Conv1d network (BasicMotions) and export it as model.onnx.

Run from the repository root with Debian's interpreter (it has torch 1.13,
onnx, numpy and scikit-learn from apt):

    /usr/bin/python3 examples/wearable-motion/train.py

Data: the BasicMotions data set of the UEA/UCR time-series archive, as shipped
by sktime (.ts files, gzip), from datasets/basicmotions/ (repository root):
40 training and 40 test windows, each 10 s of a wrist-worn smart watch at
10 Hz, 6 channels (accelerometer x/y/z, gyroscope x/y/z), 4 classes
(0 Standing, 1 Running, 2 Walking, 3 Badminton; the order of @classLabel).

Device input: int8, one value per channel and time step, channel-major
[6][100]. The device quantises each raw sample with the constants below
(computed from the training windows and printed by this script):

    q[c][t] = clamp(round_half_away((raw[c][t] - MEAN[c]) / STD[c] * 16), -128, 127)

Network (binary weights everywhere, binary activations between layers):

    input [1, 6, 100] int8 values q (float32 in the graph)
    -> Div 16 -> Unsqueeze [1, 1, 6, 100]
    -> Conv(W1 in {-1,+1}, 32 x 1 x 6 x 5) -> Squeeze [1, 32, 96]
       (= a Conv1d of the 6 channels, kernel 5: the window as a one-channel
       6 x 100 image, the kernel spanning all 6 rows)
    -> BatchNormalization -> Sign -> MaxPool1d(3, stride 2, padding 1) [1, 32, 48]
    -> Pad (4 zeros on the left: a causal convolution)
    -> Conv1d(W2 in {-1,+1}, 32 x 32 x 5) -> AveragePool1d(4) [1, 32, 12]
    -> BatchNormalization -> Sign -> Flatten [1, 384]
    -> MatMul(W3 in {-1,+1}, 384 x 4) -> BatchNormalization -> logits [1, 4]

Training: BinaryConnect-style latent float weights clipped to [-1, 1],
straight-through estimators for weights and activations (hardtanh gradient),
augmentation by random circular time shifts, amplitude scaling and a little
noise, applied to the raw windows before quantisation. The script also
trains two non-binary baselines on the same split (a float MLP of the same
shape as the old binary MLP, 600-64-4; logistic regression and a random
forest on per-channel summary features) and writes the quantised test set to data/test.npz for
`bnnc verify`.
"""

import argparse
import gzip
import io
import os
import random
import sys
import time
import zipfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# This script keeps its own layers and training loop rather than importing
# examples/common/bnn_training.py (the MNIST examples' shared code): its binary
# layers carry a `latent` switch that export_net turns off to write exact +-1
# weights, it has 1-D convolutions, 1-D augmentation and int8 quantisation of
# the raw IMU window, and its loop trains float baselines with the same code.

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
DATA_DIR = os.path.join(REPO, 'datasets', 'basicmotions')

CHANNELS = ('acc_x', 'acc_y', 'acc_z', 'gyr_x', 'gyr_y', 'gyr_z')
N_CH, N_T = 6, 100
N_IN = N_CH * N_T
# int8 steps per standard deviation: +-127 covers about +-8 standard deviations
INPUT_SCALE = 16.0
# the average pool after the second convolution
POOL2 = 4


# --------------------------------------------------------------------------- data

def load_ts(path):
    """Reads an sktime .ts file (equal length, multivariate, class label last).

    Returns (x float64 [N, dims, length], y int64 [N], class names)."""
    classes, dims, length = None, None, None
    xs, ys = [], []
    in_data = False
    with gzip.open(path, 'rt', encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            if not in_data:
                low = line.lower()
                if low.startswith('@classlabel'):
                    parts = line.split()
                    if parts[1].lower() != 'true':
                        raise ValueError('%s: no class labels' % path)
                    classes = parts[2:]
                elif low.startswith('@dimensions'):
                    dims = int(line.split()[1])
                elif low.startswith('@serieslength'):
                    length = int(line.split()[1])
                elif low.startswith('@data'):
                    in_data = True
                continue
            parts = line.split(':')
            label = parts[-1].strip()
            series = [[float(v) for v in s.split(',')] for s in parts[:-1]]
            if len(series) != dims or any(len(s) != length for s in series):
                raise ValueError('%s:%d: expected %d series of %d values' % (path, lineno, dims, length))
            xs.append(series)
            ys.append(classes.index(label))
    return np.array(xs, dtype=np.float64), np.array(ys, dtype=np.int64), classes


def quantise(raw, mean, std):
    """raw float [N, 6, 100] -> int8 values as the device computes them."""
    v = (raw - mean[None, :, None]) / std[None, :, None] * INPUT_SCALE
    v = np.sign(v) * np.floor(np.abs(v) + 0.5)          # round half away from zero
    return np.clip(v, -128, 127).astype(np.int8)


def quantise_t(raw, mean, std):
    """Torch version of quantise() for augmented training batches (float32)."""
    v = (raw - mean.view(1, -1, 1)) / std.view(1, -1, 1) * INPUT_SCALE
    v = torch.sign(v) * torch.floor(v.abs() + 0.5)
    return v.clamp(-128, 127)


def augment(raw, gen, max_scale):
    """Random jitter of a batch of raw windows [N, 6, 100] (float32, sensor units).

    - circular time shift by 0..99 steps (the activities are stationary over
      the 10 s window, so where the window starts is arbitrary),
    - amplitude scale 1 +- max_scale, one factor per window (all channels).
    (train_net adds the Gaussian noise afterwards.)
    """
    n = raw.shape[0]
    shift = torch.randint(0, N_T, (n,), generator=gen)
    idx = (torch.arange(N_T).view(1, -1) + shift.view(-1, 1)) % N_T
    out = torch.gather(raw, 2, idx.view(n, 1, N_T).expand(n, N_CH, N_T))
    scale = 1.0 + (torch.rand(n, 1, 1, generator=gen) * 2 - 1) * max_scale
    return out * scale


# --------------------------------------------------------------------------- model

def binarize(t):
    """sign with sign(0) = +1."""
    return torch.where(t >= 0, torch.ones_like(t), -torch.ones_like(t))


class BinaryLinear(nn.Linear):
    """Linear layer with binary weights (latent float weights, STE)."""

    latent = True   # False once the weights are exactly +1/-1 (export)

    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out, bias=False)

    def forward(self, x):
        w = self.weight
        return F.linear(x, w + (binarize(w) - w).detach() if self.latent else w)


class SignSTE(nn.Module):
    """Forward: sign (sign(0)=+1). Backward: hardtanh gradient."""

    def forward(self, x):
        xc = F.hardtanh(x)
        return xc + (binarize(xc) - xc).detach()


class Sign(nn.Module):
    def forward(self, x):
        return torch.sign(x)


class BinaryConv2d(nn.Conv2d):
    """Conv2d with binary weights (latent float weights, STE), no bias."""

    def __init__(self, c_in, c_out, kernel):
        super().__init__(c_in, c_out, kernel, bias=False)

    latent = True   # False once the weights are exactly +1/-1 (export)

    def forward(self, x):
        w = self.weight
        return F.conv2d(x, w + (binarize(w) - w).detach() if self.latent else w)


class BinaryConv1d(nn.Conv1d):
    """Conv1d with binary weights (latent float weights, STE), no bias."""

    def __init__(self, c_in, c_out, kernel):
        super().__init__(c_in, c_out, kernel, bias=False)

    latent = True   # False once the weights are exactly +1/-1 (export)

    def forward(self, x):
        w = self.weight
        return F.conv1d(x, w + (binarize(w) - w).detach() if self.latent else w)


class BinaryConvNet(nn.Module):
    """The binary network; `sign` is SignSTE for training, Sign (ONNX Sign) for export."""

    def __init__(self, channels, kernel, sign):
        super().__init__()
        c1, c2 = channels
        self.kernel = kernel
        self.conv1 = BinaryConv2d(1, c1, (N_CH, kernel))
        self.bn1 = nn.BatchNorm1d(c1)
        self.conv2 = BinaryConv1d(c1, c2, kernel)
        self.bn2 = nn.BatchNorm1d(c2)
        t = (N_T - kernel + 1 + 2 - 3) // 2 + 1      # after conv1 and the max-pool
        self.fc = BinaryLinear(c2 * (t // POOL2), 4)
        self.bn3 = nn.BatchNorm1d(4)
        self.sign = sign

    def forward(self, x):  # x: int8 values q as float, [N, 6, 100]
        y = self.conv1((x / INPUT_SCALE).unsqueeze(1)).squeeze(2)
        y = F.max_pool1d(self.sign(self.bn1(y)), 3, stride=2, padding=1)
        y = F.avg_pool1d(self.conv2(F.pad(y, (self.kernel - 1, 0))), POOL2)
        y = self.sign(self.bn2(y))
        return self.bn3(self.fc(torch.flatten(y, 1)))


class FloatMLP(nn.Module):
    """Baseline: the same shape with float weights, biases and ReLU."""

    def __init__(self, widths, dropout):
        super().__init__()
        layers = []
        n_in = N_IN
        for i, w in enumerate(widths):
            layers.append(nn.Linear(n_in, w))
            if i < len(widths) - 1:
                layers += [nn.BatchNorm1d(w), nn.ReLU(), nn.Dropout(dropout)]
            n_in = w
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(torch.flatten(x / INPUT_SCALE, 1))


def export_net(trained, channels, kernel):
    """The exported form: the same modules with +1/-1 weights and ONNX Sign."""
    exp = BinaryConvNet(channels, kernel, Sign())
    exp.load_state_dict(trained.state_dict())
    for m in (exp.conv1, exp.conv2, exp.fc):
        m.weight.data = binarize(m.weight.data).clone()
        m.latent = False
    return exp.eval()


# --------------------------------------------------------------------------- training

def train_net(model, binary, raw_tr, y_tr, mean, std, args, seed, log=None):
    """Trains `model` on augmented, quantised copies of the raw training windows."""
    X = torch.from_numpy(raw_tr.astype(np.float32))
    Y = torch.from_numpy(y_tr)
    m_t = torch.from_numpy(mean.astype(np.float32))
    s_t = torch.from_numpy(std.astype(np.float32))
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    # one "epoch" = `copies` augmented copies of every training window
    n = len(X) * args.copies
    steps_per_epoch = (n + args.batch - 1) // args.batch
    total = args.epochs * steps_per_epoch
    gamma = (args.lr_end / args.lr) ** (1.0 / max(1, total - 1))
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma)
    lin = [m for m in model.modules() if isinstance(m, (BinaryLinear, BinaryConv1d, BinaryConv2d))]
    for ep in range(args.epochs):
        model.train()
        idx_all = torch.arange(len(X)).repeat(args.copies)
        perm = idx_all[torch.randperm(n, generator=gen)]
        tot_loss, correct = 0.0, 0
        for i in range(0, n, args.batch):
            idx = perm[i:i + args.batch]
            xb = augment(X[idx], gen, args.scale) if args.augment else X[idx]
            if args.augment and args.noise > 0:
                xb = xb + torch.randn(xb.shape, generator=gen) * args.noise * s_t.view(1, -1, 1)
            qb = quantise_t(xb, m_t, s_t)
            out = model(qb)
            loss = F.cross_entropy(out, Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if binary:
                with torch.no_grad():
                    for m in lin:
                        m.weight.clamp_(-1, 1)
            tot_loss += loss.item() * len(idx)
            correct += (out.argmax(1) == Y[idx]).sum().item()
        if log and (ep % 50 == 49 or ep == args.epochs - 1):
            log(ep, tot_loss / n, correct / n)
    return model


@torch.no_grad()
def predict(model, q):
    model.eval()
    return model(torch.from_numpy(q.astype(np.float32))).argmax(1).numpy()


def summary_features(raw):
    """Per-channel mean, standard deviation, min, max, mean |first difference|: [N, 30]."""
    d = np.abs(np.diff(raw, axis=2)).mean(2)
    return np.concatenate([raw.mean(2), raw.std(2), raw.min(2), raw.max(2), d], axis=1)


# --------------------------------------------------------------------------- export helpers

# exported op -> node name; weights and batch-norm constants follow the layer
LAYER_OPS = {'Conv': 'conv', 'MatMul': 'fc'}
# (PyTorch puts a Pad of zero width in front of avg_pool1d: the second Pad)
NAMES = {'Div': ['input_scale'], 'Unsqueeze': ['as_image'], 'Squeeze': ['as_sequence'], 'Pad': ['causal_pad', 'pool2_pad'],
         'MaxPool': ['pool1'], 'AveragePool': ['pool2'], 'Flatten': ['flatten']}
# PyTorch 1.13 computes F.pad's pads with these ops on constants (opset 13)
PADS_SUBGRAPH = ('ConstantOfShape', 'Concat', 'Reshape', 'Slice', 'Transpose', 'Cast')


def readable_names(m):
    """Rename nodes, tensors and initializers of the exported graph in place."""
    g = m.graph
    ren = {}
    k = pads_nodes = constants = 0
    seen = []
    for n in g.node:
        op = n.op_type
        if op in LAYER_OPS:
            k += 1
            n.name = '%s%d' % (LAYER_OPS[op], k) if op == 'Conv' else 'fc'
            ren[n.input[1]] = '%s.weight' % n.name
        elif op == 'BatchNormalization':
            n.name = 'bn%d' % k
            for i, suffix in zip(range(1, 5), ('scale', 'bias', 'mean', 'var')):
                ren[n.input[i]] = 'bn%d.%s' % (k, suffix)
        elif op == 'Sign':
            n.name = 'sign%d' % k
        elif op in NAMES:
            n.name = NAMES[op][seen.count(op)]
            seen.append(op)
        elif op in PADS_SUBGRAPH:
            # F.pad's pads, computed from constants; bnnc folds them
            pads_nodes += 1
            n.name = 'causal_pad.pads%d' % pads_nodes
        elif op == 'Constant':
            constants += 1
            n.name = 'const%d' % constants
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


def save_npz_deterministic(path, **arrays):
    """Like np.savez (uncompressed zip of .npy members), but with a fixed
    timestamp in the zip headers, so that the same arrays give the same bytes."""
    tmp = path + '.tmp'
    with zipfile.ZipFile(tmp, 'w', compression=zipfile.ZIP_STORED) as zf:
        for name, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(name + '.npy', date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())
    os.replace(tmp, path)


# --------------------------------------------------------------------------- main

def seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--channels', default='32,32', help='output channels of the two convolutions')
    p.add_argument('--kernel', type=int, default=5, help='kernel length of both convolutions')
    p.add_argument('--widths', default='64,4', help='layer widths of the float MLP baseline, last must be 4')
    p.add_argument('--epochs', type=int, default=200)
    p.add_argument('--copies', type=int, default=5, help='augmented copies of each window per epoch')
    p.add_argument('--batch', type=int, default=20)
    p.add_argument('--lr', type=float, default=1e-2)
    p.add_argument('--lr-end', type=float, default=1e-4)
    p.add_argument('--scale', type=float, default=0.2, help='max random amplitude change (fraction)')
    p.add_argument('--noise', type=float, default=0.05, help='Gaussian noise, in channel standard deviations')
    p.add_argument('--no-augment', dest='augment', action='store_false')
    p.add_argument('--cv', action='store_true', help='also run 5-fold cross-validation on the training set')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--out', default=os.path.join(HERE, 'model.onnx'))
    p.add_argument('--data-out', default=os.path.join(HERE, 'data', 'test.npz'))
    p.add_argument('--no-export', action='store_true')
    args = p.parse_args()

    widths = [int(v) for v in args.widths.split(',')]
    assert widths[-1] == 4 and len(widths) <= 4 and max(widths[:-1] or [0]) <= 256
    channels = [int(v) for v in args.channels.split(',')]
    assert len(channels) == 2 and max(channels) <= 256
    binary_net = lambda: BinaryConvNet(channels, args.kernel, SignSTE())

    seed_all(args.seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)

    t0 = time.time()
    raw_tr, y_tr, classes = load_ts(os.path.join(DATA_DIR, 'BasicMotions_TRAIN.ts.gz'))
    raw_te, y_te, classes_te = load_ts(os.path.join(DATA_DIR, 'BasicMotions_TEST.ts.gz'))
    assert classes == classes_te == ['Standing', 'Running', 'Walking', 'Badminton'], classes
    print('train %s, test %s, classes %s' % (raw_tr.shape, raw_te.shape, classes))
    print('train per class %s, test per class %s' % (np.bincount(y_tr).tolist(), np.bincount(y_te).tolist()))

    # quantisation constants from the training windows only, rounded to 4 decimals
    # (the device uses exactly these numbers)
    mean = np.round(raw_tr.mean(axis=(0, 2)), 4)
    std = np.round(raw_tr.std(axis=(0, 2)), 4)
    q_tr = quantise(raw_tr, mean, std)
    q_te = quantise(raw_te, mean, std)
    print('quantisation: q = clamp(round((raw - mean) / std * %g), -128, 127)' % INPUT_SCALE)
    for c in range(N_CH):
        print('  %-6s mean %8.4f  std %7.4f  clipped train %5.2f %%  test %5.2f %%' % (
            CHANNELS[c], mean[c], std[c],
            100.0 * np.mean(np.abs(q_tr[:, c].astype(int)) >= 127),
            100.0 * np.mean(np.abs(q_te[:, c].astype(int)) >= 127)))

    def log(ep, loss, acc):
        print('  epoch %3d  loss %.4f  train(aug) %.4f  %.0fs' % (ep + 1, loss, acc, time.time() - t0), flush=True)

    # ---------------------------------------------------------- optional CV (training set only)
    if args.cv:
        from sklearn.model_selection import StratifiedKFold
        skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=args.seed)
        ok_b, ok_f = 0, 0
        for k, (a, b) in enumerate(skf.split(raw_tr, y_tr)):
            m_c = np.round(raw_tr[a].mean(axis=(0, 2)), 4)
            s_c = np.round(raw_tr[a].std(axis=(0, 2)), 4)
            seed_all(args.seed + k)
            mb = train_net(binary_net(), True, raw_tr[a], y_tr[a], m_c, s_c, args, args.seed + k)
            ok_b += int((predict(mb, quantise(raw_tr[b], m_c, s_c)) == y_tr[b]).sum())
            seed_all(args.seed + k)
            mf = train_net(FloatMLP(widths, 0.2), False, raw_tr[a], y_tr[a], m_c, s_c, args, args.seed + k)
            ok_f += int((predict(mf, quantise(raw_tr[b], m_c, s_c)) == y_tr[b]).sum())
        print('5-fold CV on the training set: binary %d/40, float MLP %d/40  (%.0fs)' % (ok_b, ok_f, time.time() - t0))

    # ---------------------------------------------------------- the binary network
    print('training binary Conv1d network, channels %s, kernel %d' % (channels, args.kernel), flush=True)
    seed_all(args.seed)
    model = train_net(binary_net(), True, raw_tr, y_tr, mean, std, args, args.seed, log)
    pred = predict(model, q_te)
    n_ok = int((pred == y_te).sum())
    acc = n_ok / len(y_te)
    train_acc = float((predict(model, q_tr) == y_tr).mean())
    print('binary Conv1d network: float test accuracy %.4f (%d/%d), train accuracy %.4f' % (acc, n_ok, len(y_te), train_acc))
    print_confusion(y_te, pred, classes)
    t_train = time.time() - t0

    # ---------------------------------------------------------- baselines (same split)
    seed_all(args.seed)
    fmodel = train_net(FloatMLP(widths, 0.2), False, raw_tr, y_tr, mean, std, args, args.seed)
    f_ok = int((predict(fmodel, q_te) == y_te).sum())
    print('baseline float MLP (same shape, float weights, ReLU, same int8 input and training): %d/%d' % (
        f_ok, len(y_te)))
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    f_tr, f_te = summary_features(raw_tr), summary_features(raw_te)
    lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000, C=1.0)).fit(f_tr, y_tr)
    lr_ok = int((lr.predict(f_te) == y_te).sum())
    rf = RandomForestClassifier(n_estimators=200, random_state=args.seed, n_jobs=1).fit(f_tr, y_tr)
    rf_ok = int((rf.predict(f_te) == y_te).sum())
    print('baseline logistic regression on 30 summary features (raw float values): %d/%d' % (lr_ok, len(y_te)))
    print('baseline random forest (200 trees) on the same features: %d/%d' % (rf_ok, len(y_te)))
    print('training + baselines wall time: %.1f s (binary network alone %.1f s)' % (time.time() - t0, t_train), flush=True)
    if args.no_export:
        return

    # ---------------------------------------------------------- export
    import onnx
    exp = export_net(model, channels, args.kernel)
    exp_ok = int((predict(exp, q_te) == y_te).sum())
    print('export module test accuracy: %d/%d' % (exp_ok, len(y_te)))
    dummy = torch.zeros(1, N_CH, N_T)
    torch.onnx.export(exp, dummy, args.out, input_names=['input'], output_names=['logits'],
                      opset_version=13, do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL)
    m = onnx.load(args.out)
    m.producer_name = 'bnnc examples/wearable-motion/train.py'
    meta = {
        'bnnc.input_type': 'int8',
        'bnnc.example': 'wearable-motion',
        'bnnc.classes': ','.join(classes),
        'bnnc.input_layout': 'channel-major [6][100]: %s, 100 steps at 10 Hz' % ','.join(CHANNELS),
        'bnnc.input_quantisation': 'q = clamp(round_half_away((raw - mean_c) / std_c * %g), -128, 127)' % INPUT_SCALE,
        'bnnc.input_mean': ','.join('%.4f' % v for v in mean),
        'bnnc.input_std': ','.join('%.4f' % v for v in std),
        'bnnc.float_test_accuracy': '%.4f' % acc,
    }
    del m.metadata_props[:]
    for k, v in meta.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    m.graph.name = 'wearable_motion_bnn'
    readable_names(m)
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, args.out)

    # ---------------------------------------------------------- checks
    from onnx import numpy_helper
    for t in m.graph.initializer:
        a = numpy_helper.to_array(t)
        if t.name.endswith('.weight'):
            assert set(np.unique(a).tolist()) <= {-1.0, 1.0}, t.name
        if t.name.endswith('.var'):
            print('%s: min %.4g max %.4g' % (t.name, a.min(), a.max()))
    print('ONNX nodes:')
    for n in m.graph.node:
        print('  %-20s %-14s %s' % (n.op_type, n.name, ', '.join(n.input)))
    print('wrote %s' % args.out)

    # ---------------------------------------------------------- test set for bnnc verify
    os.makedirs(os.path.dirname(args.data_out), exist_ok=True)
    save_npz_deterministic(args.data_out, inputs=q_te.reshape(len(q_te), N_IN), labels=y_te)
    chk = np.load(args.data_out)
    assert chk['inputs'].dtype == np.int8 and chk['inputs'].shape == (len(q_te), N_IN)
    assert np.array_equal(chk['inputs'], q_te.reshape(len(q_te), N_IN)) and np.array_equal(chk['labels'], y_te)
    print('wrote %s: inputs int8 %s, labels %s' % (args.data_out, chk['inputs'].shape, chk['labels'].dtype))


def print_confusion(y, pred, classes):
    print('  confusion (rows true, columns predicted): %s' % ' '.join(c[:4] for c in classes))
    for i, c in enumerate(classes):
        row = [int(((y == i) & (pred == j)).sum()) for j in range(len(classes))]
        print('  %-10s %s' % (c, ' '.join('%4d' % v for v in row)))


if __name__ == '__main__':
    main()
