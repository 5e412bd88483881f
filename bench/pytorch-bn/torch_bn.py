"""PyTorch's eval-mode BatchNorm1d (float32, CPU) on batch-norm channels for binary dot products.

Usage: /usr/bin/python3 bench/pytorch-bn/torch_bn.py OUT.json [adversarial|ordinary]

adversarial: each channel crosses zero exactly on a reachable dot (n - 2k), or 1-3
float32 steps of beta beside it, with gamma, mean and variance at random, placed with
onnxruntime's CPU order (inv_std = 1/sqrt(var + eps), scale = inv_std * gamma).
ordinary: beta uniform in [-2, 2), nothing placed.
Writes, per input width n, the channels and PyTorch's output for every dot in [-n, n].
compare.ts runs the same channels through onnxruntime.
"""
import json
import sys

import numpy as np
import torch

torch.set_num_threads(1)
rng = np.random.default_rng(1)
f32 = np.float32
EPS = f32(1e-5)
mode = sys.argv[2] if len(sys.argv) > 2 else 'adversarial'


def ort_scale(gamma, var):
    return f32(f32(1) / f32(np.sqrt(f32(var + EPS)))) * f32(gamma)


def step(x, ulps):
    direction = f32(np.inf) if ulps > 0 else f32(-np.inf)
    for _ in range(abs(ulps)):
        x = np.nextafter(x, direction, dtype=np.float32)
    return x


def channel(n):
    gamma = f32((rng.random() + 0.05) * (-1 if rng.random() < 0.3 else 1))
    var = f32(rng.random() * n + 0.01)
    mean = f32((rng.random() - 0.5) * n)
    if mode == 'ordinary':
        return gamma, f32((rng.random() - 0.5) * 4), mean, var
    dot = n - 2 * int(rng.integers(0, n + 1))
    scale = f32(ort_scale(gamma, var))
    beta = step(f32(f32(mean * scale) - f32(dot * scale)), int(rng.integers(-3, 4)))
    return gamma, beta, mean, var


groups = []
for n in [8, 31, 64, 100, 200, 784]:
    params = [channel(n) for _ in range(2000)]
    bn = torch.nn.BatchNorm1d(len(params), eps=1e-5).eval()
    with torch.no_grad():
        for i, name in enumerate(['weight', 'bias', 'running_mean', 'running_var']):
            getattr(bn, name).copy_(torch.tensor([p[i] for p in params], dtype=torch.float32))
        dots = torch.arange(-n, n + 1, 2, dtype=torch.float32)
        y = bn(dots[:, None].expand(len(dots), len(params)).contiguous()).numpy()
    groups.append({'n': n, 'channels': [[float(v) for v in p] for p in params], 'y': y.T.tolist()})
json.dump({'mode': mode, 'torch': torch.__version__, 'groups': groups}, open(sys.argv[1], 'w'))
