#!/usr/bin/env python3
"""PyTorch reference for the MNIST row of issue 13: the same run as a scorefield model file, in PyTorch.

Reads a model written by `scorefield train --data mnist --loss ncsn` for everything that defines the run: the
architecture (MLP dims, activation, noise conditioning), the normalisation, the noise levels, the steps, batch,
learning rate and the moving average of the weights. Conditioning (the core's assembly/model.ts): all three append
c(sigma) = [l, sin(l/2), cos(l/2), sin l, cos l, sin 2l, cos 2l], l = ln sigma, to the network's input; 'both'
divides its output f by sigma; 'precond' reads f at [y / sqrt(1 + sigma^2), c(sigma)] and returns
s = -y / (1 + sigma^2) + f / (sigma sqrt(1 + sigma^2)) (Karras et al. 2022, table 1, sigma_data = 1); 'gaussian' (the
default of ncsn score models above 4 dimensions) reads f at [(y - mu) c_in, c(sigma)] and returns
s = -(C + sigma^2 I)^-1 (y - mu) + c_out f / sigma^2, the exact score of the data's Gaussian N(mu, C) blurred by sigma plus
the network's correction, with C = U^T diag(lambda) U + rest (I - U^T U), c_in = 1 / sqrt(tr C / d + sigma^2),
c_out^2 = sigma^2 tr(C (C + sigma^2 I)^-1) / d (the Gaussian, tensors gaussian.* of the model file, is fitted once to the
standardised train digits by scorefield; PyTorch reads it rather than refitting); 'mixture' (the default) does the same
with the mixture sum_k w_k N(mu_k, C_k) of tensors mixture.* (fitted by scorefield without labels): the skip is its exact
blurred score sum_k r_k(y) (-(C_k + sigma^2 I)^-1 (y - mu_k)), r_k the responsibilities, the input (y - mu) / sqrt(v + sigma^2)
with the mixture's mean and variance per coordinate, c_out^2 = sigma^2 sum_k w_k tr(C_k (C_k + sigma^2 I)^-1) / d.
Trains the same objective (NCSN, Song &
Ermon 2019: sigma_i^2 / 2 |s(x + sigma_i z; sigma_i) + z / sigma_i|^2 with i uniform per point, batch mean) with Adam on
the same MNIST train split (the IDX files @scorefield/datasets ships), from PyTorch's own initial weights and random
streams (so the result is a reference, not the same bits), then draws samples with annealed Langevin,
x <- x + (a/2) s(x; sigma_i) + sqrt(a) z, a = eps sigma_i^2 / sigma_L^2, T steps per level (a 'mixture' model's s
guarded as scorefield's Langevin steps guard it: s + max(0, |k|^2 - s.k) / |k|^2 k, k the skip), and a final denoising step
x + sigma_L^2 s(x; sigma_L) / 2 (scorefield's default: one Euler step of the probability-flow ODE to 0), with the eps
and T `scorefield sample` reports for the model.
The mixture skip runs in the components' shared basis (as the core does; a 500-row evaluation about 3x faster than the
dense form) and each matrix product through the faster of torch's BLAS and oneDNN for its shape (`mm`; with the
reference BLAS that Debian's python3-torch calls unless libopenblas0-openmp is installed, oneDNN took 6.4x less CPU a
training step and 5.7x a 500-row sampling evaluation): the same functions to rounding. So the speed compared is
PyTorch's on this machine at its best we found; install libopenblas0-openmp for it.
Writes the samples (data units) as .npy for `scorefield eval --samples`, and prints a JSON summary.

Usage (from the repo root, after `pnpm build`):
  /usr/bin/python3 scripts/mnist_torch.py --model out/mnist.safetensors --step-size EPS [--steps-per-level 100]
      [--n 1000] [--seed 0] [--threads 1] --out out/mnist-torch.npy
"""
import argparse
import json
import math
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

DATA = 'packages/datasets/data/mnist-train-images.idx3-ubyte'
ACTIVATIONS = {'silu': nn.SiLU, 'softplus': nn.Softplus, 'tanh': nn.Tanh, 'elu': nn.ELU}


def read_model(path):
    """The metadata and the gaussian.* and mixture.* tensors (float32) of a safetensors model file."""
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    gaussian = {k.split('.', 1)[1]: torch.from_numpy(np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], dtype=np.float32)
                                                    .reshape(v['shape']).copy()) for k, v in header.items() if k.startswith(('gaussian.', 'mixture.'))}
    return header.get('__metadata__', {}), gaussian


def read_images(path, side):
    """MNIST IDX images [n, 28, 28] as float32 pixels / 255, or 2x2 means (sum of 4 bytes / 1020) at side 14."""
    with open(path, 'rb') as f:
        raw = f.read()
    n, h, w = struct.unpack('>III', raw[4:16])
    b = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, h, w).astype(np.float32)
    if side == 14:
        return (b.reshape(n, 14, 2, 14, 2).sum(axis=(2, 4)) / np.float32(1020)).reshape(n, 196)
    return (b / np.float32(255)).reshape(n, 784)


def mm(a, w):
    """a [n, i] @ w [o, i]^T, by the faster of torch's BLAS product and oneDNN's for its shape (timed once per shape by
    `fastest`): Debian's python3-torch calls the BLAS it is linked to (BLAS_INFO=generic), the reference BLAS unless an
    optimised one (libopenblas0-openmp) is installed, about 12x slower than oneDNN on the sampling's 500-row products;
    with OpenBLAS, oneDNN is still 1.5-1.9x faster on those but 13x slower on the training's 791-input first layer at
    128 rows (measured here, one thread). Both give the same products to rounding (relative 5e-7)."""
    return PRODUCTS[fastest(a, w)](a, w)


def blas_product(a, w):
    return a @ w.t()


def onednn_product(a, w):
    return torch._C._nn.mkldnn_linear(a.contiguous().to_mkldnn(), w.contiguous().to_mkldnn(), None).to_dense()


PRODUCTS = {'blas': blas_product, 'onednn': onednn_product}
CHOSEN = {}


def fastest(a, w):
    """The product to use for a's and w's shapes and layouts: each timed 3 x 3 times at the first such call, the best kept."""
    key = (tuple(a.shape), tuple(w.shape), a.is_contiguous(), w.is_contiguous())
    if key not in CHOSEN:
        names = ['blas', 'onednn'] if torch.backends.mkldnn.is_available() else ['blas']
        best = {}
        for name in names:
            times = []
            for _ in range(3):
                t = time.perf_counter()
                for _ in range(3):
                    PRODUCTS[name](a, w)
                times.append(time.perf_counter() - t)
            best[name] = min(times)
        CHOSEN[key] = min(best, key=best.get)
    return CHOSEN[key]


class MatMul(torch.autograd.Function):
    """mm with its gradients (for the network's layers in training)."""

    @staticmethod
    def forward(ctx, a, w):
        ctx.save_for_backward(a, w)
        return mm(a, w)

    @staticmethod
    def backward(ctx, g):
        a, w = ctx.saved_tensors
        return mm(g, w.t()), mm(g.t(), a.t())




def embedding(sigma):
    l = torch.log(sigma)
    return torch.cat([l, torch.sin(l / 2), torch.cos(l / 2), torch.sin(l), torch.cos(l), torch.sin(2 * l), torch.cos(2 * l)], 1)


class Net(nn.Module):
    def __init__(self, dims, activation, conditioning, gaussian):
        super().__init__()
        self.conditioning = conditioning
        if conditioning == 'gaussian':
            mu, U, lam, rest = gaussian['mean'], gaussian['vectors'], gaussian['variances'], float(gaussian['rest'][0])
            d = mu.shape[0]
            self.g = (mu, U, lam, rest, float((lam.sum() + (d - lam.shape[0]) * rest) / d), d)
        if conditioning == 'mixture':
            w, mus, lam, rest = gaussian['weights'], gaussian['means'], gaussian['variances'], gaussian['rests']
            d, k = mus.shape[1], lam.shape[1]
            mu = w @ mus
            v = float((w * ((lam.sum(1) + (d - k) * rest) / d + ((mus - mu) ** 2).mean(1))).sum())
            U = gaussian['vectors']
            self.m = (w, mus, U, lam, rest, mu, v, d, k)
            # The shared basis: the right singular vectors of the stacked U_k above 1e-4 of the largest singular value.
            _, sv, vh = torch.linalg.svd(U.reshape(-1, d).double(), full_matrices=False)
            B = vh[: int((sv > 1e-4 * sv[0]).sum())]
            R = torch.einsum('kmd,qd->kmq', U.double(), B)
            self.basis = (B.float(), R.float(), torch.einsum('kmd,kd->km', U, mus), (mus.double() ** 2).sum(1)[None])
            self.basis_t = B.float().t().contiguous()
        layers = []
        for i in range(len(dims) - 1):
            layers.append(nn.Linear(dims[i], dims[i + 1]))
            if i < len(dims) - 2:
                layers.append(ACTIVATIONS[activation]())
        self.net = nn.Sequential(*layers)

    def mlp(self, h):  # self.net(h) with its products through mm
        for layer in self.net:
            h = MatMul.apply(h, layer.weight) + layer.bias if isinstance(layer, nn.Linear) else layer(h)
        return h

    def gain(self, sigma):  # c_out^2 / sigma^2 of a 'gaussian' model: the mean of lambda / (lambda + sigma^2) over d
        mu, U, lam, rest, v, d = self.g
        s2 = sigma**2
        return ((lam / (lam + s2)).sum(1, keepdim=True) + (d - lam.shape[0]) * rest / (rest + s2)) / d

    def mixture_skip(self, y, sigma):  # the mixture's blurred score at y [n, d], sigma [n, 1]; and c_out^2 / sigma^2
        """In the components' shared basis, as the core computes it (core-math assembly/mixture.ts): every U_k = R_k B with
        B [q, d] orthonormal (q = 64 on MNIST), so y is projected once, each component works in q coordinates, and the
        d-dimensional terms are sums over the K means: the dense form to rounding, about 10x fewer
        multiply-adds at d = 784 (checked against the dense form, sum_k over [n, K, d] tensors, the version before: within
        8e-6 relative on noisy train digits at every sigma tried)."""
        w, mus, U, lam, rest, mu, v, d, k = self.m
        B, R, umu, mu2 = self.basis
        s2 = sigma**2  # [n, 1]
        r = 1 / (rest[None] + s2) if k < d else torch.zeros(y.shape[0], mus.shape[0])  # [n, K]
        a = 1 / (lam[None] + s2[:, :, None])  # [n, K, k]
        t = torch.einsum('nq,kmq->nkm', mm(y, B), R) - umu  # U_k (y - mu_k), [n, K, k]
        # |y - mu_k|^2 in float64: the expansion |y|^2 - 2 y.mu_k + |mu_k|^2 cancels.
        yd = y.double()
        ee = ((yd * yd).sum(1, keepdim=True) - 2 * yd @ mus.double().T + mu2).float()  # [n, K]
        g = t * (a - r[:, :, None])
        log_det = (d - k) * torch.log(rest[None] + s2) + torch.log(lam[None] + s2[:, :, None]).sum(2)  # [n, K]
        resp = torch.softmax(torch.log(w) - 0.5 * (r * ee + (t * g).sum(2) + log_det), 1)
        rr = resp * r
        skip = -rr.sum(1, keepdim=True) * y + rr @ mus - mm(torch.einsum('nkm,kmq->nq', resp[:, :, None] * g, R), self.basis_t)
        gain = (w * ((lam[None] * a).sum(2) + (d - k) * rest * r)).sum(1, keepdim=True) / d
        return skip, gain

    def sampling_score(self, y, sigma):
        """The score the Langevin steps use: a 'mixture' model's guarded as scorefield's samplerSteps guards it (core-math
        assembly/mixture.ts), s + max(0, |k|^2 - s.k) / |k|^2 k with k the skip; the model's score otherwise."""
        return self(y, sigma, guard=True)

    def forward(self, y, sigma, guard=False):  # the score at y [n, d] and sigma [n, 1], standardised units
        if self.conditioning == 'mixture':
            mu, v = self.m[5], self.m[6]
            skip, gain = self.mixture_skip(y, sigma)
            s = skip + torch.sqrt(gain) / sigma * self.mlp(torch.cat([(y - mu) / torch.sqrt(v + sigma**2), embedding(sigma)], 1))
            if not guard:
                return s
            kk, sk = (skip * skip).sum(1, keepdim=True), (s * skip).sum(1, keepdim=True)
            return s + torch.clamp(kk - sk, min=0) / kk * skip
        if self.conditioning == 'gaussian':
            mu, U, lam, rest, v, d = self.g
            s2, e = sigma**2, y - mu
            r = 1 / (rest + s2) if lam.shape[0] < d else 0.0  # no directions off U when k = d
            skip = -r * e - ((e @ U.T) * (1 / (lam + s2) - r)) @ U
            return skip + torch.sqrt(self.gain(sigma)) / sigma * self.mlp(torch.cat([e / torch.sqrt(v + s2), embedding(sigma)], 1))
        if self.conditioning == 'both':
            return self.mlp(torch.cat([y, embedding(sigma)], 1)) / sigma
        c = torch.sqrt(1 + sigma**2)  # precond
        return -y / c**2 + self.mlp(torch.cat([y / c, embedding(sigma)], 1)) / (sigma * c)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', required=True)
    p.add_argument('--step-size', type=float, required=True)
    p.add_argument('--steps-per-level', type=int, default=100)
    p.add_argument('--n', type=int, default=1000)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', required=True)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    meta, gaussian = read_model(a.model)
    arch, norm = json.loads(meta['architecture']), json.loads(meta['normalization'])
    loss, training = json.loads(meta['loss']), json.loads(meta['training'])
    image = json.loads(meta['image'])
    if loss['name'] != 'ncsn' or arch['conditioning'] not in ('both', 'precond', 'gaussian', 'mixture') or arch['kind'] != 'score-mlp':
        sys.exit('mnist_torch.py: expected a score model trained with --loss ncsn and conditioning both, precond, gaussian or mixture')
    steps, batch, lr, ema = int(meta['steps']), training['batch'], training['lr'], training.get('ema', 0)
    sigmas = torch.tensor(loss['sigmas'], dtype=torch.float32)
    mean, std = torch.tensor(norm['mean'], dtype=torch.float32), torch.tensor(norm['std'], dtype=torch.float32)
    x = (torch.from_numpy(read_images(DATA, image['width'])) - mean) / std
    net = Net(arch['dims'], arch['activation'], arch['conditioning'], gaussian)
    avg = [q.detach().clone() for q in net.parameters()]
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    t0 = time.time()
    for t in range(steps):
        xb = x[torch.randint(0, x.shape[0], (batch,))]
        s = sigmas[torch.randint(0, len(sigmas), (batch,))].unsqueeze(1)
        z = torch.randn_like(xb)
        out = net(xb + s * z, s)
        objective = (0.5 * (s.squeeze(1) ** 2) * ((out + z / s) ** 2).sum(1)).mean()
        opt.zero_grad()
        objective.backward()
        opt.step()
        m = min(ema, (1 + t) / (10 + t))  # the moving average of the weights, with scorefield's warm-up
        with torch.no_grad():
            for q, v in zip(net.parameters(), avg):
                v.mul_(m).add_(q, alpha=1 - m)
    train_seconds = time.time() - t0
    with torch.no_grad():
        for q, v in zip(net.parameters(), avg):
            q.copy_(v)
        t0 = time.time()
        y = torch.randn(a.n, x.shape[1])
        last = sigmas[-1]
        for sigma in sigmas:
            alpha = a.step_size * sigma**2 / last**2
            col = torch.full((a.n, 1), float(sigma))
            for _ in range(a.steps_per_level):
                y = y + alpha / 2 * net.sampling_score(y, col) + math.sqrt(alpha) * torch.randn_like(y)
        y = y + last**2 / 2 * net.sampling_score(y, torch.full((a.n, 1), float(last)))
        sample_seconds = time.time() - t0
    samples = (y * std + mean).numpy().astype(np.float32)
    np.save(a.out, samples)
    print(json.dumps({'out': a.out, 'steps': steps, 'trainSeconds': train_seconds, 'stepsPerSecond': steps / train_seconds,
                      'sampleSeconds': sample_seconds, 'n': a.n, 'levels': len(sigmas), 'torch': torch.__version__,
                      'blas': blas_library(), 'products': sorted(set(CHOSEN.values()))}))


def blas_library():
    """The BLAS library this process loaded (the system's libblas.so.3 alternative), or None."""
    with open('/proc/self/maps') as f:
        paths = {line.split()[-1] for line in f if 'blas' in line.split()[-1]}
    return sorted(paths)[0] if paths else None


if __name__ == '__main__':
    main()
