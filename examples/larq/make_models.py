#!/usr/bin/python3
"""Larq models for bnnc's Keras importer, written without TensorFlow.

    /usr/bin/python3 examples/larq/make_models.py      (Debian's python3 with h5py, numpy, torch)

TensorFlow and Larq cannot be installed here, so this script trains two small
Larq networks with PyTorch (straight-through sign, Larq's forward semantics)
and writes them byte-for-byte in the layouts Keras itself writes:

  mnist_cnn.h5 / .keras   the Larq MNIST tutorial CNN (docs.larq.dev "Introduction
                          to BNNs with Larq"): QuantConv2D 32/64/64, MaxPooling2D,
                          BatchNormalization(scale=False), QuantDense 64/10, softmax;
                          fed pixel/127.5 - 1 (declared with --input-scale/--input-zero-point)
  mnist_mlp.h5 / .keras   an MLP exercising Rescaling, approx_sign, swish_sign,
                          magnitude_aware_sign, a bias, BatchNormalization with scale
  options.h5 / .keras     random weights, every other option: a uint8 InputLayer, a
                          full-precision Conv2D with a -1/+1 kernel, biases, stride 2,
                          "same" padding with pad_values 1 and 0, AveragePooling2D,
                          GlobalAveragePooling2D, negative gammas, center=False
  breadth.h5 / .keras     random weights: QuantDepthwiseConv2D (depth_multiplier 2,
                          dilation 2, "same" with pad_values 0, magnitude_aware_sign,
                          bias; a second one with stride 2), a dilated QuantConv2D and
                          a grouped one (groups 4, stride 2) after an integer first
                          QuantConv2D; legacy config form in the .h5

`make_models.py breadth` writes only the named model(s) and their entries of
expected.json (the generator is deterministic; the other files stay as they are).

and expected.json: the argmax (and the first logits) of an independent numpy
implementation of Larq's inference on the 1,000 test images bundled in
examples/mnist-mlp/data.

Layouts followed (read with the `search` tool; cited by file):
  * Keras 2 HDF5: keras/saving/legacy/hdf5_format.py (tf.keras 2.x
    save_model_to_hdf5 / save_weights_to_hdf5_group / save_attributes_to_hdf5_group):
    root attrs backend, keras_version, model_config (json.dumps(...).encode('utf8'),
    a fixed-length string); group model_weights with attrs layer_names (array of
    utf-8 bytes), backend, keras_version; one group per layer (sorted by name)
    with attr weight_names and datasets at "<layer>/<var>:0".
  * Keras 3 .keras: keras/src/saving/saving_lib.py (save_model, H5IOStore,
    _save_container_state): an uncompressed zip of metadata.json, config.json,
    model.weights.h5; variables at layers/<to_snake_case(class)>[_n]/vars/<i>
    (names from the class, not the layer), an empty root "vars" group.
  * Config objects: keras/saving/serialization_lib.py (serialize_keras_object:
    {"module", "class_name", "config", "registered_name"}) for Keras 2.13+/3 and the
    legacy {"class_name", "config"} form of keras/utils/generic_utils.py.
  * Larq: larq/layers_base.py (BaseLayer.call applies input_quantizer, then
    QuantizerBaseConv pads with pad_values, then the convolution with the quantized
    kernel), larq/quantizers.py (ste_sign/approx_sign/swish_sign forward =
    larq.math.sign, sign(0) = +1; MagnitudeAwareSign = mean|w| over all axes but
    the last, times sign), larq/layers.py (QuantDense, QuantConv2D, QuantDepthwiseConv2D configs),
    keras/layers/convolutional/base_depthwise_conv.py (DepthwiseConv2D: kernel
    [kh, kw, in, depth_multiplier], variable depthwise_kernel; tf.nn.depthwise_conv2d
    orders the outputs c * depth_multiplier + m), base_conv.py (groups: kernel
    [kh, kw, in / groups, filters]; dilation_rate).
  * BatchNormalization at inference: tensorflow/python/ops/nn_impl.py
    batch_normalization: inv = rsqrt(var + eps) * gamma; y = x * inv + (beta - mean * inv).

Both files of one model hold the same weights. The .h5 files use both string
forms h5py has written (fixed-length bytes for the CNN, variable-length str for
the MLP) and both config forms (new for the CNN, legacy for the MLP).
"""
import gzip
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile

import h5py
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TEST_DIR = os.path.join(REPO, 'examples', 'mnist-mlp', 'data')
F32 = np.float32


# ----------------------------------------------------------------------------- data

def read_idx(path):
    data = open(path, 'rb').read()
    if path.endswith('.gz'):
        data = gzip.decompress(data)
    ndim = data[3]
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_train():
    out = tempfile.mkdtemp(prefix='larq-train-')
    subprocess.run(['node', os.path.join(REPO, 'examples', 'mnist-mlp', 'export-training-data.mjs'), out], check=True)
    return read_idx(os.path.join(out, 'train-images-idx3-ubyte')), read_idx(os.path.join(out, 'train-labels-idx1-ubyte'))


def load_test():
    return (read_idx(os.path.join(TEST_DIR, 't10k-1000-images-idx3-ubyte.gz')),
            read_idx(os.path.join(TEST_DIR, 't10k-1000-labels-idx1-ubyte.gz')))


# ----------------------------------------------------------------------------- training (PyTorch, Larq forward semantics)

class SteSign(torch.autograd.Function):
    """Forward: Larq's sign (sign(0) = +1). Backward: straight-through, clipped at |x| <= 1."""
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x < 0, -torch.ones_like(x), torch.ones_like(x))

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * (x.abs() <= 1).to(dy.dtype)


sign = SteSign.apply


def magnitude_aware(w, out_axis):
    dims = [d for d in range(w.dim()) if d != out_axis]
    return w.abs().mean(dim=dims, keepdim=True).detach() * sign(w)


class BN(torch.nn.Module):
    """Keras BatchNormalization(momentum=0.99, epsilon=1e-3), channels on the last axis."""
    def __init__(self, n, scale=True):
        super().__init__()
        self.gamma = torch.nn.Parameter(torch.ones(n), requires_grad=scale)
        self.beta = torch.nn.Parameter(torch.zeros(n))
        self.register_buffer('mean', torch.zeros(n))
        self.register_buffer('var', torch.ones(n))
        self.scale = scale

    def forward(self, x):
        axes = list(range(x.dim() - 1))
        if self.training:
            m, v = x.mean(dim=axes), x.var(dim=axes, unbiased=False)
            with torch.no_grad():
                self.mean.mul_(0.99).add_(0.01 * m)
                self.var.mul_(0.99).add_(0.01 * v)
        else:
            m, v = self.mean, self.var
        return (x - m) / torch.sqrt(v + 1e-3) * self.gamma + self.beta


def conv_hwio(x_nhwc, w_hwio):
    y = torch.nn.functional.conv2d(x_nhwc.permute(0, 3, 1, 2), w_hwio.permute(3, 2, 0, 1))
    return y.permute(0, 2, 3, 1)


def maxpool_nhwc(x):
    return torch.nn.functional.max_pool2d(x.permute(0, 3, 1, 2), 2).permute(0, 2, 3, 1)


class TutorialCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        u = lambda *s: torch.nn.Parameter(torch.empty(*s).uniform_(-0.1, 0.1))
        self.k1, self.k2, self.k3 = u(3, 3, 1, 32), u(3, 3, 32, 64), u(3, 3, 64, 64)
        self.d1, self.d2 = u(576, 64), u(64, 10)
        self.bn = torch.nn.ModuleList([BN(32, False), BN(64, False), BN(64, False), BN(64, False), BN(10, False)])

    def forward(self, x):  # x: NHWC, pixel / 127.5 - 1
        x = self.bn[0](maxpool_nhwc(conv_hwio(x, sign(self.k1))))
        x = self.bn[1](maxpool_nhwc(conv_hwio(sign(x), sign(self.k2))))
        x = self.bn[2](conv_hwio(sign(x), sign(self.k3)))
        x = self.bn[3](sign(x.reshape(x.shape[0], -1)) @ sign(self.d1))
        return self.bn[4](sign(x) @ sign(self.d2))

    def latent(self):
        return [self.k1, self.k2, self.k3, self.d1, self.d2]


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        u = lambda *s: torch.nn.Parameter(torch.empty(*s).uniform_(-0.1, 0.1))
        self.d1, self.d2, self.d3 = u(784, 64), u(64, 32), u(32, 10)
        self.b2 = torch.nn.Parameter(torch.zeros(32))
        self.bn = torch.nn.ModuleList([BN(64), BN(32), BN(10, False)])

    def forward(self, x):  # x: raw pixels, [N, 28, 28]
        x = x.reshape(x.shape[0], -1) * (1 / 127.5) - 1
        x = self.bn[0](x @ sign(self.d1))
        x = self.bn[1](sign(x) @ magnitude_aware(self.d2, 1) + self.b2)
        return self.bn[2](sign(x) @ sign(self.d3))

    def latent(self):
        return [self.d1, self.d2, self.d3]


def train(model, images, labels, epochs, prepare):
    torch.manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    n = images.shape[0]
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n)
        for i in range(0, n, 64):
            idx = order[i:i + 64]
            loss = torch.nn.functional.cross_entropy(model(prepare(images[idx])), labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():  # Larq's weight_clip kernel constraint
                for w in model.latent():
                    w.clamp_(-1, 1)
        sched.step()
        print(f'  epoch {epoch + 1}: last batch loss {loss.item():.3f}', flush=True)
    model.eval()


def plant_exact_zeros(w, count):
    """Set the `count` smallest positive latent weights to exactly 0.0: Larq's sign maps 0 to +1, so the
    binarized network is unchanged, and an importer that reads 0 as 0 or -1 gives different outputs."""
    flat = w.reshape(-1)
    positive = np.flatnonzero(flat > 0)
    flat[positive[np.argsort(flat[positive])[:count]]] = 0.0
    return w


# ----------------------------------------------------------------------------- independent numpy inference (Larq semantics)

def np_sign(x):
    return np.where(x < 0, F32(-1), F32(1)).astype(F32)


def np_batchnorm(x, p):
    """tf.nn.batch_normalization in float32: inv = rsqrt(var + eps) * gamma; y = x * inv + (beta - mean * inv)."""
    inv = (F32(1) / np.sqrt((p['moving_variance'] + F32(p['epsilon'])).astype(np.float64))).astype(F32)
    if 'gamma' in p:
        inv = (inv * p['gamma']).astype(F32)
    offset = ((p['beta'] if 'beta' in p else F32(0)) - (p['moving_mean'] * inv).astype(F32)).astype(F32)
    return ((x * inv).astype(F32) + offset).astype(F32)


def np_conv_valid(x, k):
    """x [N,H,W,C], k HWIO: exact float64 sums rounded once to float32."""
    kh, kw, _, oc = k.shape
    n, h, w, _ = x.shape
    out = np.zeros((n, h - kh + 1, w - kw + 1, oc))
    for dy in range(kh):
        for dx in range(kw):
            out += np.einsum('nhwc,co->nhwo', x[:, dy:dy + h - kh + 1, dx:dx + w - kw + 1, :].astype(np.float64), k[dy, dx].astype(np.float64))
    return out.astype(F32)


def np_conv(x, k, stride, padding, pad_value, bias=None, scale=None):
    """General Larq conv: pad with pad_value (after the input quantizer), valid conv with stride,
    exact float64 sums rounded once to float32, then the magnitude scale and the bias in float32."""
    kh, kw, _, oc = k.shape
    n, h, w, c = x.shape
    if padding == 'same':
        def pads(size, kernel):
            out = -(-size // stride)
            total = max((out - 1) * stride + kernel - size, 0)
            return total // 2, total - total // 2
        (pt, pb), (pl, pr) = pads(h, kh), pads(w, kw)
        x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=pad_value)
    n, h, w, c = x.shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.zeros((n, oh, ow, oc))
    for dy in range(kh):
        for dx in range(kw):
            patch = x[:, dy:dy + (oh - 1) * stride + 1:stride, dx:dx + (ow - 1) * stride + 1:stride, :].astype(np.float64)
            out += np.einsum('nhwc,co->nhwo', patch, k[dy, dx].astype(np.float64))
    out = out.astype(F32)
    if scale is not None:
        out = (out * scale).astype(F32)
    if bias is not None:
        out = (out + bias).astype(F32)
    return out


def np_conv_window(x, k, stride, dilation, padding, pad_value, groups=1, depthwise=False, bias=None, scale=None):
    """Larq conv with dilation_rate, groups (k HWIO [kh, kw, in / groups, out]) or depthwise (k [kh, kw, in, multiplier],
    output channel c * multiplier + m from input channel c, as tf.nn.depthwise_conv2d orders them): pad with pad_value
    (after the input quantizer), exact float64 sums rounded once to float32, then the magnitude scale and the bias in
    float32. Written apart from np_conv, which the older models keep using."""
    kh, kw = k.shape[:2]
    n, h, w, c = x.shape
    span_h, span_w = dilation * (kh - 1) + 1, dilation * (kw - 1) + 1
    if padding == 'same':
        def pads(size, span):
            out = -(-size // stride)
            total = max((out - 1) * stride + span - size, 0)
            return total // 2, total - total // 2
        (pt, pb), (pl, pr) = pads(h, span_h), pads(w, span_w)
        x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=pad_value)
    n, h, w, c = x.shape
    oh, ow = (h - span_h) // stride + 1, (w - span_w) // stride + 1
    oc = c * k.shape[3] if depthwise else k.shape[3]
    out = np.zeros((n, oh, ow, oc))
    for dy in range(kh):
        for dx in range(kw):
            y0, x0 = dy * dilation, dx * dilation
            patch = x[:, y0:y0 + (oh - 1) * stride + 1:stride, x0:x0 + (ow - 1) * stride + 1:stride, :].astype(np.float64)
            tap = k[dy, dx].astype(np.float64)
            if depthwise:
                out += np.einsum('nhwc,cm->nhwcm', patch, tap).reshape(n, oh, ow, oc)
                continue
            cg, og = c // groups, oc // groups
            for g in range(groups):
                out[..., g * og:(g + 1) * og] += np.einsum('nhwc,co->nhwo', patch[..., g * cg:(g + 1) * cg], tap[:, g * og:(g + 1) * og])
    out = out.astype(F32)
    if scale is not None:
        out = (out * (np.tile(scale, c) if depthwise else scale)).astype(F32)
    if bias is not None:
        out = (out + bias).astype(F32)
    return out


def np_avgpool(x):
    n, h, w, c = x.shape
    x = x[:, :h // 2 * 2, :w // 2 * 2, :].reshape(n, h // 2, 2, w // 2, 2, c).astype(np.float64)
    return (x.sum(axis=(2, 4)) / 4).astype(F32)


def np_global_avgpool(x):
    n, h, w, c = x.shape
    return (x.astype(np.float64).sum(axis=(1, 2)) / (h * w)).astype(F32)


def magnitude(k):
    """MagnitudeAwareSign's scale: mean |w| over all axes but the last (float64 sum, one rounding)."""
    return np.abs(k.astype(np.float64)).reshape(-1, k.shape[-1]).mean(axis=0).astype(F32)


def np_options(pixels, w, calibrate=None):
    """The options model on uint8 pixels (InputLayer dtype uint8: no scaling). With `calibrate`, each
    BatchNormalization's moving statistics are first set from the batch it sees (random weights)."""
    def bn(x, key):
        if calibrate is not None:
            axes = tuple(range(x.ndim - 1))
            w[key]['moving_mean'] = x.mean(axis=axes).astype(F32)
            w[key]['moving_variance'] = x.var(axis=axes).astype(F32)
        return np_batchnorm(x, w[key])

    x = pixels.astype(F32)[..., None]
    x = bn(np_conv(x, w['c1'], 2, 'valid', 0, bias=w['c1b']), 'bn0')
    x = bn(np_conv(np_sign(x), np_sign(w['c2']), 1, 'same', 1, bias=w['c2b'], scale=magnitude(w['c2'])), 'bn1')
    x = bn(np_avgpool(np_conv(np_sign(x), np_sign(w['c3']), 1, 'same', 0)), 'bn2')
    x = bn(np_global_avgpool(np_conv(np_sign(x), np_sign(w['c4']), 2, 'same', 1, bias=w['c4b'])), 'bn3')
    return bn(np_dense(np_sign(x), np_sign(w['d1'])) + w['d1b'], 'bn4')


def np_breadth(pixels, w, calibrate=None):
    """The breadth model on uint8 pixels: a first QuantConv2D (no input quantizer), a depthwise layer (multiplier 2,
    dilation 2, "same" with pad_values 0 (bnnc pads grouped convolutions with zeros only), magnitude_aware_sign, bias), a dilated conv, a grouped conv (4 groups,
    stride 2, "same"), a strided depthwise layer, QuantDense. `calibrate` as in np_options."""
    def bn(x, key):
        if calibrate is not None:
            axes = tuple(range(x.ndim - 1))
            w[key]['moving_mean'] = x.mean(axis=axes).astype(F32)
            w[key]['moving_variance'] = x.var(axis=axes).astype(F32)
        return np_batchnorm(x, w[key])

    x = pixels.astype(F32)[..., None]
    x = bn(np_conv_window(x, np_sign(w['g1']), 2, 1, 'valid', 0), 'bn0')
    x = bn(np_conv_window(np_sign(x), np_sign(w['dw1']), 1, 2, 'same', 0, depthwise=True, bias=w['dw1b'],
                          scale=magnitude(w['dw1'])), 'bn1')
    x = bn(np_conv_window(np_sign(x), np_sign(w['g2']), 1, 2, 'valid', 0), 'bn2')
    x = bn(np_conv_window(np_sign(x), np_sign(w['g3']), 2, 1, 'same', 0, groups=4, bias=w['g3b']), 'bn3')
    x = bn(np_conv_window(np_sign(x), np_sign(w['dw2']), 2, 1, 'valid', 0, depthwise=True), 'bn4')
    x = np_dense(np_sign(x.reshape(x.shape[0], -1)), np_sign(w['d1']))
    return bn((x + w['d1b']).astype(F32), 'bn5')


def np_maxpool(x):
    n, h, w, c = x.shape
    x = x[:, :h // 2 * 2, :w // 2 * 2, :].reshape(n, h // 2, 2, w // 2, 2, c)
    return x.max(axis=(2, 4))


def np_dense(x, k):
    return (x.astype(np.float64) @ k.astype(np.float64)).astype(F32)


def np_cnn(pixels, w):
    """The tutorial CNN on uint8 pixels; the declared input mapping 1/127.5 * (v - 127.5), each step in float32."""
    x = ((pixels.astype(F32) - F32(127.5)).astype(F32) * F32(1 / 127.5)).astype(F32)[..., None]
    x = np_batchnorm(np_maxpool(np_conv_valid(x, np_sign(w['k1']))), w['bn0'])
    x = np_batchnorm(np_maxpool(np_conv_valid(np_sign(x), np_sign(w['k2']))), w['bn1'])
    x = np_batchnorm(np_conv_valid(np_sign(x), np_sign(w['k3'])), w['bn2'])
    x = np_batchnorm(np_dense(np_sign(x.reshape(x.shape[0], -1)), np_sign(w['d1'])), w['bn3'])
    return np_batchnorm(np_dense(np_sign(x), np_sign(w['d2'])), w['bn4'])


def np_mlp(pixels, w):
    """Rescaling(1/127.5, -1) in float32 (x * scale + offset), then the Larq layers."""
    x = ((pixels.reshape(pixels.shape[0], -1).astype(F32) * F32(1 / 127.5)).astype(F32) + F32(-1)).astype(F32)
    x = np_batchnorm(np_dense(x, np_sign(w['d1'])), w['bn0'])
    alpha = np.abs(w['d2'].astype(np.float64)).mean(axis=0).astype(F32)
    x = (np_dense(np_sign(x), np_sign(w['d2'])) * alpha).astype(F32)
    x = np_batchnorm((x + w['b2']).astype(F32), w['bn1'])
    return np_batchnorm(np_dense(np_sign(x), np_sign(w['d3'])), w['bn2'])


# ----------------------------------------------------------------------------- Keras layer configs

def quantizer(name, new_form):
    cls = {'ste_sign': 'SteSign', 'approx_sign': 'ApproxSign', 'swish_sign': 'SwishSign', 'magnitude_aware_sign': 'MagnitudeAwareSign'}[name]
    cfg = {'name': name, 'trainable': True, 'dtype': 'float32'}
    cfg.update({'SteSign': {'clip_value': 1.0}, 'MagnitudeAwareSign': {'clip_value': 1.0}, 'SwishSign': {'beta': 5.0}, 'ApproxSign': {}}[cls])
    return obj('larq.quantizers', cls, cfg, new_form, registered=cls)


def obj(module, cls, config, new_form, registered=None):
    if not new_form:
        return {'class_name': cls, 'config': config}
    return {'module': module, 'class_name': cls, 'config': config, 'registered_name': registered}


def initializer(cls, new_form):
    return obj('keras.initializers', cls, {'seed': None} if cls == 'GlorotUniform' else {}, new_form)


def quant_conv(name, filters, input_q, new_form, first_shape=None):
    cfg = {'name': name, 'trainable': True, 'dtype': 'float32'}
    if first_shape:
        cfg['batch_input_shape'] = [None, *first_shape]
    cfg.update({
        'filters': filters, 'kernel_size': [3, 3], 'strides': [1, 1], 'padding': 'valid', 'data_format': 'channels_last',
        'dilation_rate': [1, 1], 'groups': 1, 'activation': 'linear', 'use_bias': False,
        'kernel_initializer': initializer('GlorotUniform', new_form), 'bias_initializer': initializer('Zeros', new_form),
        'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None,
        'kernel_constraint': obj('larq.constraints', 'WeightClip', {'clip_value': 1}, new_form, 'WeightClip'), 'bias_constraint': None,
        'input_quantizer': quantizer(input_q, new_form) if input_q else None,
        'kernel_quantizer': quantizer('ste_sign', new_form), 'pad_values': 0.0,
    })
    return obj('larq.layers', 'QuantConv2D', cfg, new_form, 'QuantConv2D')


def quant_dense(name, units, input_q, kernel_q, use_bias, new_form):
    cfg = {
        'name': name, 'trainable': True, 'dtype': 'float32', 'units': units, 'activation': 'linear', 'use_bias': use_bias,
        'kernel_initializer': initializer('GlorotUniform', new_form), 'bias_initializer': initializer('Zeros', new_form),
        'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None,
        'kernel_constraint': obj('larq.constraints', 'WeightClip', {'clip_value': 1}, new_form, 'WeightClip'), 'bias_constraint': None,
        'input_quantizer': quantizer(input_q, new_form) if input_q else None,
        'kernel_quantizer': quantizer(kernel_q, new_form),
    }
    return obj('larq.layers', 'QuantDense', cfg, new_form, 'QuantDense')


def batchnorm(name, scale, keras3, new_form, rank):
    """Keras 2 stores the (positive) channel axis in a list, Keras 3 the int -1."""
    cfg = {
        'name': name, 'trainable': True, 'dtype': 'float32', 'axis': -1 if keras3 else [rank - 1],
        'momentum': 0.99, 'epsilon': 0.001, 'center': True, 'scale': scale,
        'beta_initializer': initializer('Zeros', new_form), 'gamma_initializer': initializer('Ones', new_form),
        'moving_mean_initializer': initializer('Zeros', new_form), 'moving_variance_initializer': initializer('Ones', new_form),
        'beta_regularizer': None, 'gamma_regularizer': None, 'beta_constraint': None, 'gamma_constraint': None,
    }
    return obj('keras.layers', 'BatchNormalization', cfg, new_form)


def simple(module_cls, name, new_form, **extra):
    cfg = {'name': name, 'trainable': True, 'dtype': 'float32', **extra}
    return obj('keras.layers', module_cls, cfg, new_form)


def input_layer(shape, keras3, name):
    if keras3:
        return obj('keras.layers', 'InputLayer', {'batch_shape': [None, *shape], 'dtype': 'float32', 'sparse': False, 'name': name}, True)
    return obj('keras.layers', 'InputLayer', {'batch_input_shape': [None, *shape], 'dtype': 'float32', 'sparse': False, 'ragged': False, 'name': name}, True)


def cnn_layers(keras3, new_form):
    """(config, [(variable name, array)]) per layer, in model.layers order; the InputLayer first."""
    return [
        (input_layer([28, 28, 1], keras3, 'quant_conv2d_input'), None),
        (quant_conv('quant_conv2d', 32, None, new_form, None if keras3 else [28, 28, 1]), ['k1']),
        (simple('MaxPooling2D', 'max_pooling2d', new_form, pool_size=[2, 2], padding='valid', strides=[2, 2], data_format='channels_last'), []),
        (batchnorm('batch_normalization', False, keras3, new_form, 4), ['bn0']),
        (quant_conv('quant_conv2d_1', 64, 'ste_sign', new_form), ['k2']),
        (simple('MaxPooling2D', 'max_pooling2d_1', new_form, pool_size=[2, 2], padding='valid', strides=[2, 2], data_format='channels_last'), []),
        (batchnorm('batch_normalization_1', False, keras3, new_form, 4), ['bn1']),
        (quant_conv('quant_conv2d_2', 64, 'ste_sign', new_form), ['k3']),
        (batchnorm('batch_normalization_2', False, keras3, new_form, 4), ['bn2']),
        (simple('Flatten', 'flatten', new_form, data_format='channels_last'), []),
        (quant_dense('quant_dense', 64, 'ste_sign', 'ste_sign', False, new_form), ['d1']),
        (batchnorm('batch_normalization_3', False, keras3, new_form, 2), ['bn3']),
        (quant_dense('quant_dense_1', 10, 'ste_sign', 'ste_sign', False, new_form), ['d2']),
        (batchnorm('batch_normalization_4', False, keras3, new_form, 2), ['bn4']),
        (simple('Activation', 'activation', new_form, activation='softmax'), []),
    ]


def mlp_layers(keras3, new_form):
    rescaling = simple('Rescaling', 'rescaling', new_form, scale=1 / 127.5, offset=-1.0)
    if not keras3:  # older Sequential configs: no InputLayer entry, the shape on the first layer
        rescaling['config']['batch_input_shape'] = [None, 28, 28]
    layers = [] if not keras3 else [(input_layer([28, 28], keras3, 'input_layer'), None)]
    return layers + [
        (rescaling, []),
        (simple('Flatten', 'flatten', new_form, data_format='channels_last'), []),
        (quant_dense('quant_dense', 64, None, 'ste_sign', False, new_form), ['d1']),
        (batchnorm('batch_normalization', True, keras3, new_form, 2), ['bn0']),
        (quant_dense('quant_dense_1', 32, 'approx_sign', 'magnitude_aware_sign', True, new_form), ['d2', 'b2']),
        (batchnorm('batch_normalization_1', True, keras3, new_form, 2), ['bn1']),
        (quant_dense('quant_dense_2', 10, 'swish_sign', 'ste_sign', False, new_form), ['d3']),
        (batchnorm('batch_normalization_2', False, keras3, new_form, 2), ['bn2']),
        (simple('Activation', 'activation', new_form, activation='softmax'), []),
    ]


def conv_layer(cls, name, filters, stride, padding, pad_values, input_q, kernel_q, use_bias, new_form):
    cfg = {
        'name': name, 'trainable': True, 'dtype': 'float32', 'filters': filters, 'kernel_size': [3, 3], 'strides': [stride, stride],
        'padding': padding, 'data_format': 'channels_last', 'dilation_rate': [1, 1], 'groups': 1, 'activation': 'linear',
        'use_bias': use_bias, 'kernel_initializer': initializer('GlorotUniform', new_form), 'bias_initializer': initializer('Zeros', new_form),
        'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None, 'kernel_constraint': None, 'bias_constraint': None,
    }
    if cls == 'Conv2D':
        return obj('keras.layers', 'Conv2D', cfg, new_form)
    cfg.update({'input_quantizer': quantizer(input_q, new_form) if input_q else None, 'kernel_quantizer': quantizer(kernel_q, new_form),
                'pad_values': float(pad_values)})
    return obj('larq.layers', 'QuantConv2D', cfg, new_form, 'QuantConv2D')


def options_layers(keras3, new_form):
    """Every option the tutorial leaves out: a uint8 InputLayer, a full-precision Conv2D with a -1/+1 kernel and a bias
    on raw pixels, stride 2, "same" padding with pad_values 1 and 0, magnitude_aware_sign and swish_sign kernels,
    AveragePooling2D and GlobalAveragePooling2D on integer sums, negative gammas, center=False."""
    inp = input_layer([28, 28, 1], keras3, 'input_layer')
    inp['config']['dtype'] = 'uint8'
    layers = [
        (inp, None),
        (conv_layer('Conv2D', 'conv2d', 8, 2, 'valid', 0, None, None, True, new_form), ['c1', 'c1b']),
        (batchnorm('batch_normalization', True, keras3, new_form, 4), ['bn0']),
        (conv_layer('QuantConv2D', 'quant_conv2d', 16, 1, 'same', 1, 'ste_sign', 'magnitude_aware_sign', True, new_form), ['c2', 'c2b']),
        (batchnorm('batch_normalization_1', True, keras3, new_form, 4), ['bn1']),
        (conv_layer('QuantConv2D', 'quant_conv2d_1', 16, 1, 'same', 0, 'approx_sign', 'swish_sign', False, new_form), ['c3']),
        (simple('AveragePooling2D', 'average_pooling2d', new_form, pool_size=[2, 2], padding='valid', strides=[2, 2], data_format='channels_last'), []),
        (batchnorm('batch_normalization_2', True, keras3, new_form, 4), ['bn2']),
        (conv_layer('QuantConv2D', 'quant_conv2d_2', 32, 2, 'same', 1, 'ste_sign', 'ste_sign', True, new_form), ['c4', 'c4b']),
        (simple('GlobalAveragePooling2D', 'global_average_pooling2d', new_form, data_format='channels_last', keepdims=False), []),
        (batchnorm('batch_normalization_3', True, keras3, new_form, 2), ['bn3']),
        (quant_dense('quant_dense', 10, 'ste_sign', 'ste_sign', True, new_form), ['d1', 'd1b']),
        (batchnorm('batch_normalization_4', True, keras3, new_form, 2), ['bn4']),
    ]
    layers[-1][0]['config']['center'] = False
    return layers


def window_conv(name, filters, stride, dilation, groups, padding, pad_values, input_q, kernel_q, use_bias, new_form):
    cfg = conv_layer('QuantConv2D', name, filters, stride, padding, pad_values, input_q, kernel_q, use_bias, new_form)
    cfg['config'].update({'dilation_rate': [dilation, dilation], 'groups': groups})
    return cfg


def depthwise_conv(name, multiplier, stride, dilation, padding, pad_values, input_q, kernel_q, use_bias, new_form):
    """larq.layers.QuantDepthwiseConv2D.get_config: Keras' DepthwiseConv2D config (no filters/kernel_*; depth_multiplier,
    depthwise_*) plus input_quantizer, depthwise_quantizer, pad_values (larq/layers.py)."""
    cfg = {
        'name': name, 'trainable': True, 'dtype': 'float32', 'kernel_size': [3, 3], 'strides': [stride, stride],
        'padding': padding, 'data_format': 'channels_last', 'dilation_rate': [dilation, dilation], 'groups': 1,
        'activation': 'linear', 'use_bias': use_bias, 'bias_initializer': initializer('Zeros', new_form),
        'bias_regularizer': None, 'activity_regularizer': None, 'bias_constraint': None, 'depth_multiplier': multiplier,
        'depthwise_initializer': initializer('GlorotUniform', new_form), 'depthwise_regularizer': None,
        'depthwise_constraint': obj('larq.constraints', 'WeightClip', {'clip_value': 1}, new_form, 'WeightClip'),
        'input_quantizer': quantizer(input_q, new_form) if input_q else None,
        'depthwise_quantizer': quantizer(kernel_q, new_form), 'pad_values': float(pad_values),
    }
    return obj('larq.layers', 'QuantDepthwiseConv2D', cfg, new_form, 'QuantDepthwiseConv2D')


def breadth_layers(keras3, new_form):
    """Grouped, depthwise and dilated binary convolutions after an integer first QuantConv2D (see np_breadth)."""
    inp = input_layer([28, 28, 1], keras3, 'input_layer')
    inp['config']['dtype'] = 'uint8'
    return [
        (inp, None),
        (window_conv('quant_conv2d', 16, 2, 1, 1, 'valid', 0, None, 'ste_sign', False, new_form), ['g1']),
        (batchnorm('batch_normalization', True, keras3, new_form, 4), ['bn0']),
        (depthwise_conv('quant_depthwise_conv2d', 2, 1, 2, 'same', 0, 'ste_sign', 'magnitude_aware_sign', True, new_form), ['dw1', 'dw1b']),
        (batchnorm('batch_normalization_1', True, keras3, new_form, 4), ['bn1']),
        (window_conv('quant_conv2d_1', 32, 1, 2, 1, 'valid', 0, 'approx_sign', 'swish_sign', False, new_form), ['g2']),
        (batchnorm('batch_normalization_2', True, keras3, new_form, 4), ['bn2']),
        (window_conv('quant_conv2d_2', 32, 2, 1, 4, 'same', 0, 'ste_sign', 'ste_sign', True, new_form), ['g3', 'g3b']),
        (batchnorm('batch_normalization_3', True, keras3, new_form, 4), ['bn3']),
        (depthwise_conv('quant_depthwise_conv2d_1', 1, 2, 1, 'valid', 0, 'ste_sign', 'ste_sign', False, new_form), ['dw2']),
        (batchnorm('batch_normalization_4', True, keras3, new_form, 4), ['bn4']),
        (simple('Flatten', 'flatten', new_form, data_format='channels_last'), []),
        (quant_dense('quant_dense', 10, 'ste_sign', 'ste_sign', True, new_form), ['d1', 'd1b']),
        (batchnorm('batch_normalization_5', True, keras3, new_form, 2), ['bn5']),
    ]


def layer_variables(weights, keys):
    """Keras variable names and values, in the order the layer creates them."""
    out = []
    for key in keys:
        if key.startswith('bn'):
            p = weights[key]
            out += [(n, p[n]) for n in ('gamma', 'beta', 'moving_mean', 'moving_variance') if n in p]
        elif key.startswith('dw') and not key.endswith('b'):
            out.append(('depthwise_kernel', weights[key]))
        elif key.startswith('b') or key.endswith('b'):
            out.append(('bias', weights[key]))
        else:
            out.append(('kernel', weights[key]))
    return out


# ----------------------------------------------------------------------------- writers

def write_h5(path, model_config, layers, weights, vlen_strings):
    """tf.keras 2.x save_model_to_hdf5 layout."""
    def strings(values):
        if vlen_strings:
            return np.array(values, dtype=h5py.string_dtype('utf-8'))
        return np.array([v.encode('utf8') for v in values])

    keras_layers = [(cfg, keys) for cfg, keys in layers if keys is not None]  # model.layers: no InputLayer
    with h5py.File(path, 'w') as f:
        f.attrs['backend'] = 'tensorflow'
        f.attrs['keras_version'] = '2.15.0' if not vlen_strings else '2.4.0'
        f.attrs['model_config'] = json.dumps(model_config).encode('utf8')
        g = f.create_group('model_weights')
        g.attrs['layer_names'] = strings([cfg['config']['name'] for cfg, _ in keras_layers])
        g.attrs['backend'] = 'tensorflow'
        g.attrs['keras_version'] = f.attrs['keras_version']
        for cfg, keys in sorted(keras_layers, key=lambda lk: lk[0]['config']['name']):
            name = cfg['config']['name']
            lg = g.create_group(name)
            variables = layer_variables(weights, keys)
            names = [f'{name}/{var}:0' for var, _ in variables]
            lg.attrs['weight_names'] = strings(names) if names else np.array([], dtype=np.float64)
            for n, (_, value) in zip(names, variables):
                lg.create_dataset(n, data=np.asarray(value, dtype=F32))


def to_snake_case(name):
    import re
    name = re.sub(r'\W+', '', name)
    name = re.sub('(.)([A-Z][a-z]+)', r'\1_\2', name)
    return re.sub('([a-z])([A-Z])', r'\1_\2', name).lower()


def write_keras(path, model_config, layers, weights):
    """Keras 3 saving_lib layout: zip (stored) of metadata.json, config.json, model.weights.h5."""
    buf = io.BytesIO()
    with h5py.File(buf, 'w') as f:
        f.create_group('vars')
        used = {}
        for cfg, keys in layers:
            if keys is None:
                continue  # Sequential.layers has no InputLayer
            base = to_snake_case(cfg['class_name'])
            if base in used:
                used[base] += 1
                base = f'{base}_{used[base]}'
            else:
                used[base] = 0
            vg = f.create_group(f'layers/{base}/vars')
            for i, (_, value) in enumerate(layer_variables(weights, keys)):
                vg.create_dataset(str(i), data=np.asarray(value, dtype=F32))
        f.create_group('optimizer/vars')
    with zipfile.ZipFile(path, 'w') as z:  # fixed member dates: the same weights give the same file
        members = [('metadata.json', json.dumps({'keras_version': '3.3.3', 'date_saved': '2026-11-27@05:00:00'})),
                   ('config.json', json.dumps(model_config)), ('model.weights.h5', buf.getvalue())]
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 27, 5, 0, 0)), data)


def sequential_config(name, layers, keras3):
    cfg = {'name': name, 'layers': [c for c, _ in layers]}
    if keras3:
        return {'module': 'keras', 'class_name': 'Sequential', 'config': {**cfg, 'trainable': True}, 'registered_name': None,
                'build_config': {'input_shape': layers[0][0]['config']['batch_shape']}, 'compile_config': None}
    return {'class_name': 'Sequential', 'config': cfg}


def bn_weights(bn):
    p = {'beta': bn.beta.detach().numpy().astype(F32), 'moving_mean': bn.mean.numpy().astype(F32),
         'moving_variance': bn.var.numpy().astype(F32), 'epsilon': 1e-3}
    if bn.scale:
        p['gamma'] = bn.gamma.detach().numpy().astype(F32)
    return p


MODELS = ('mnist_cnn', 'mnist_mlp', 'options', 'breadth')


def main():
    """`make_models.py [model ...]`: all models, or only the named ones (their files and their entries of
    expected.json; the other entries are kept as they are)."""
    wanted = sys.argv[1:] or list(MODELS)
    unknown = [m for m in wanted if m not in MODELS]
    if unknown:
        sys.exit(f'unknown model(s) {unknown}: choose from {list(MODELS)}')
    torch.set_num_threads(1)
    torch.manual_seed(0)
    train_x, train_y = load_train()
    test_x, test_y = load_test()
    tx = torch.tensor(train_x, dtype=torch.float32)
    ty = torch.tensor(train_y, dtype=torch.long)
    expected = {'inputs': 'examples/mnist-mlp/data (the first 1000 MNIST test images)', 'models': {}}
    if set(wanted) != set(MODELS):
        with open(os.path.join(HERE, 'expected.json')) as f:
            expected = json.load(f)
    if 'mnist_cnn' in wanted:
        make_cnn(tx, ty, test_x, test_y, expected)
    if 'mnist_mlp' in wanted:
        make_mlp(tx, ty, test_x, test_y, expected)
    if 'options' in wanted:
        make_options(train_x, test_x, test_y, expected)
    if 'breadth' in wanted:
        make_breadth(train_x, test_x, test_y, expected)
    expected['models'] = {m: expected['models'][m] for m in MODELS if m in expected['models']}
    with open(os.path.join(HERE, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')
    for name in wanted:
        m = expected['models'][name]
        print(f'{name}: numpy reference accuracy {m["accuracy"] * 100:.2f} % on {len(m["argmax"])} test images')


def make_cnn(tx, ty, test_x, test_y, expected):
    print('training the tutorial CNN ...', flush=True)
    cnn = TutorialCnn()
    train(cnn, tx, ty, 8, lambda x: (x / 127.5 - 1)[..., None])
    w = {k: getattr(cnn, k).detach().numpy().astype(F32).copy() for k in ('k1', 'k2', 'k3', 'd1', 'd2')}
    for k in w:
        plant_exact_zeros(w[k], 3)
    w.update({f'bn{i}': bn_weights(bn) for i, bn in enumerate(cnn.bn)})
    for keras3 in (False, True):
        layers = cnn_layers(keras3, new_form=True)
        config = sequential_config('sequential', layers, keras3)
        (write_keras if keras3 else lambda p, c, l, ww: write_h5(p, c, l, ww, vlen_strings=False))(
            os.path.join(HERE, 'mnist_cnn.keras' if keras3 else 'mnist_cnn.h5'), config, layers, w)
    logits = np_cnn(test_x, w)
    check_against_torch(cnn, torch.tensor(test_x, dtype=torch.float32) / 127.5 - 1, logits, 'mnist_cnn', nhwc=True)
    expected['models']['mnist_cnn'] = summary(logits, test_y)


def make_mlp(tx, ty, test_x, test_y, expected):
    print('training the MLP ...', flush=True)
    mlp = Mlp()
    train(mlp, tx, ty, 10, lambda x: x)
    w = {k: getattr(mlp, k).detach().numpy().astype(F32).copy() for k in ('d1', 'd2', 'd3', 'b2')}
    for k in ('d1', 'd2', 'd3'):
        plant_exact_zeros(w[k], 3)
    w.update({f'bn{i}': bn_weights(bn) for i, bn in enumerate(mlp.bn)})
    for keras3 in (False, True):
        layers = mlp_layers(keras3, new_form=keras3)
        config = sequential_config('sequential', layers, keras3)
        (write_keras if keras3 else lambda p, c, l, ww: write_h5(p, c, l, ww, vlen_strings=True))(
            os.path.join(HERE, 'mnist_mlp.keras' if keras3 else 'mnist_mlp.h5'), config, layers, w)
    logits = np_mlp(test_x, w)
    check_against_torch(mlp, torch.tensor(test_x, dtype=torch.float32), logits, 'mnist_mlp', nhwc=False)
    expected['models']['mnist_mlp'] = summary(logits, test_y)


def make_options(train_x, test_x, test_y, expected):
    print('the options model (random weights, batch-norm statistics from 2,000 training images) ...', flush=True)
    rng = np.random.default_rng(7)
    latent = lambda *shape: plant_exact_zeros(rng.uniform(-1, 1, shape).astype(F32), 2)
    w = {
        'c1': np.where(rng.random((3, 3, 1, 8)) < 0.5, F32(-1), F32(1)).astype(F32), 'c1b': (rng.integers(-64, 64, 8) / 8).astype(F32),
        'c2': latent(3, 3, 8, 16), 'c2b': (rng.integers(-8, 8, 16) / 8).astype(F32),
        'c3': latent(3, 3, 16, 16), 'c4': latent(3, 3, 16, 32), 'c4b': (rng.integers(-8, 8, 32) / 8).astype(F32),
        'd1': latent(32, 10), 'd1b': (rng.integers(-8, 8, 10) / 8).astype(F32),
    }
    for i, n in enumerate([8, 16, 16, 32, 10]):
        gamma = rng.uniform(0.5, 1.5, n) * np.where(rng.random(n) < 0.25, -1, 1)  # negative gammas flip channels
        w[f'bn{i}'] = {'gamma': gamma.astype(F32), 'beta': rng.uniform(-0.3, 0.3, n).astype(F32), 'epsilon': 1e-3}
    del w['bn4']['beta']  # center=False
    np_options(train_x[:2000], w, calibrate=True)
    for keras3 in (False, True):
        layers = options_layers(keras3, new_form=True)
        config = sequential_config('sequential', layers, keras3)
        (write_keras if keras3 else lambda p, c, l, ww: write_h5(p, c, l, ww, vlen_strings=True))(
            os.path.join(HERE, 'options.keras' if keras3 else 'options.h5'), config, layers, w)
    expected['models']['options'] = summary(np_options(test_x, w), test_y)


def make_breadth(train_x, test_x, test_y, expected):
    print('the breadth model (random weights, batch-norm statistics from 2,000 training images) ...', flush=True)
    rng = np.random.default_rng(11)
    latent = lambda *shape: plant_exact_zeros(rng.uniform(-1, 1, shape).astype(F32), 2)
    w = {
        'g1': latent(3, 3, 1, 16), 'dw1': latent(3, 3, 16, 2), 'dw1b': (rng.integers(-8, 8, 32) / 8).astype(F32),
        'g2': latent(3, 3, 32, 32), 'g3': latent(3, 3, 8, 32), 'g3b': (rng.integers(-8, 8, 32) / 8).astype(F32),
        'dw2': latent(3, 3, 32, 1), 'd1': latent(128, 10), 'd1b': (rng.integers(-8, 8, 10) / 8).astype(F32),
    }
    for i, n in enumerate([16, 32, 32, 32, 32, 10]):
        gamma = rng.uniform(0.5, 1.5, n) * np.where(rng.random(n) < 0.25, -1, 1)
        w[f'bn{i}'] = {'gamma': gamma.astype(F32), 'beta': rng.uniform(-0.3, 0.3, n).astype(F32), 'epsilon': 1e-3}
    np_breadth(train_x[:2000], w, calibrate=True)
    for keras3 in (False, True):
        layers = breadth_layers(keras3, new_form=keras3)
        config = sequential_config('sequential', layers, keras3)
        (write_keras if keras3 else lambda p, c, l, ww: write_h5(p, c, l, ww, vlen_strings=False))(
            os.path.join(HERE, 'breadth.keras' if keras3 else 'breadth.h5'), config, layers, w)
    expected['models']['breadth'] = summary(np_breadth(test_x, w), test_y)


def check_against_torch(model, x, logits, name, nhwc):
    """The numpy inference and the PyTorch training graph are written independently: their argmax must agree
    (the planted zeros do not change Larq's signs, and the float orders differ only by rounding)."""
    with torch.no_grad():
        ref = model(x[..., None] if nhwc else x).numpy()
    agree = int((ref.argmax(axis=1) == logits.argmax(axis=1)).sum())
    print(f'{name}: numpy argmax equals the PyTorch model on {agree}/{len(ref)} images', flush=True)
    assert agree >= len(ref) - 2, 'numpy reference and PyTorch model disagree'


def summary(logits, labels):
    argmax = logits.argmax(axis=1)
    top2 = np.sort(logits, axis=1)[:, -2:]
    return {
        'argmax': argmax.tolist(),
        'accuracy': float((argmax == labels).mean()),
        'min_top2_gap': float((top2[:, 1] - top2[:, 0]).min()),
        'logits_first_10': [[float(v) for v in row] for row in logits[:10]],
    }


if __name__ == '__main__':
    main()
