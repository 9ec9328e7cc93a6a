#!/usr/bin/env python3
"""Diagnostics of an MNIST score model against closed-form references (the measurements of issue 13, apps/cli README
"Images"). Two reports, both in the model's standardised units (its stored normalisation and noise levels):

  denoise: the denoising error e(sigma) = |D(y + sigma z) - y|^2 / (d sigma^2) on the held-out test digits at every
      level of the model's ladder, D(x) = x + sigma^2 s(x; sigma) (Tweedie), for the model and for three predictors
      with closed forms: the data mean (trivial), the Gaussian fitted to the train digits (a linear, Wiener filter) and
      the mixture of ten Gaussians fitted to the train digits of each class; for a 'mixture' model, also its skip term
      alone (the unsupervised mixture of the model file). e = 1: no denoising; the loss of ncsn at a
      level is d e / 2. The network's forward pass is rebuilt from the model file (conditioning none, embed, scale,
      both, precond or gaussian; score models).
  sample: annealed Langevin with scorefield's update and defaults, x <- x + (alpha/2) s(x; sigma_i) + sqrt(alpha) z,
      alpha = eps sigma_i^2 / sigma_L^2, T steps per level, a final step x + sigma_L^2 s(x; sigma_L) / 2, on the exact
      score of the class mixture blurred by N(0, sigma^2 I) (whose class weights are known): do the sampler and its
      defaults keep the classes? With --score skip (a 'mixture' model), on the model's own mixture skip alone instead
      (the unsupervised mixture, no network). Prints the share of chains in each class (largest responsibility) every few levels
      and at the end, and writes the samples (data units, .npy) for `scorefield eval --samples`.
  chains: annealed Langevin as `sample` runs it on the model itself (a 'mixture' model's score guarded as scorefield's
      Langevin steps guard it, s + max(0, |k|^2 - s.k) / |k|^2 k with k the skip; --no-guard: the raw score), and per
      level: the largest pixel |x| of the chains (data units) and how many chains are past 2 and 10 pixel units, the
      network's correction |s - k| against the skip |k| (median, largest), and s.k / |k|^2 of the raw score, where the
      guard acts when below 1, on the chains (smallest) and on noisy held-out digits at the level (smallest, 1% quantile).
      Writes the samples like `sample`.

Usage (repo root, after `pnpm build`; one thread):
  /usr/bin/python3 scripts/mnist_diagnose.py denoise --model m.safetensors
  /usr/bin/python3 scripts/mnist_diagnose.py sample --model m.safetensors --step-size EPS [--steps-per-level 100]
      [--n 500] [--seed 1] --out mixture-samples.npy
  /usr/bin/python3 scripts/mnist_diagnose.py chains --model m.safetensors --step-size EPS [--n 200] [--no-guard] --out s.npy
(EPS: the step size `scorefield sample` reports for the model, settings stepSize.)
"""
import argparse
import json
import math
import struct
import sys

import numpy as np
import torch

DATA = 'packages/datasets/data/'
ACTIVATIONS = {'silu': torch.nn.functional.silu, 'softplus': torch.nn.functional.softplus, 'tanh': torch.tanh,
               'elu': torch.nn.functional.elu}


def read_idx(path):
    with open(path, 'rb') as f:
        raw = f.read()
    dims = struct.unpack('>' + 'I' * raw[3], raw[4:4 + 4 * raw[3]])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * raw[3]).reshape(dims)


def digits(split, side):
    """MNIST images [n, side * side] as the package loads them (float32 bytes / 255; 14: 2x2 means), and labels."""
    b = read_idx(f'{DATA}mnist-{split}-images.idx3-ubyte').astype(np.float32)
    n = b.shape[0]
    x = b.reshape(n, 14, 2, 14, 2).sum(axis=(2, 4)) / np.float32(1020) if side == 14 else b / np.float32(255)
    return torch.from_numpy(x.reshape(n, side * side).astype(np.float64)), torch.from_numpy(
        read_idx(f'{DATA}mnist-{split}-labels.idx1-ubyte').astype(np.int64))


def gaussian_variance(t):
    """tr C / d of a 'gaussian' model's Gaussian C = U^T diag(lambda) U + rest (I - U^T U) (tensors gaussian.*)."""
    d, k = t['gaussian.mean'].shape[0], t['gaussian.variances'].shape[0]
    return float((t['gaussian.variances'].sum() + (d - k) * t['gaussian.rest'][0]) / d)


def wiener_gain(t, sigma):
    """Mean over the d coordinates of lambda / (lambda + sigma^2): c_out(sigma)^2 / sigma^2 of a 'gaussian' model."""
    d, lam, rest = t['gaussian.mean'].shape[0], t['gaussian.variances'], float(t['gaussian.rest'][0])
    s2 = sigma * sigma
    return float(((lam / (lam + s2)).sum() + (d - lam.shape[0]) * rest / (rest + s2)) / d)


def gaussian_skip(t, y, sigma):
    """-(C + sigma^2 I)^-1 (y - mu): the exact score of the model's Gaussian blurred by sigma (its skip term)."""
    e, U, lam, s2 = y - t['gaussian.mean'], t['gaussian.vectors'], t['gaussian.variances'], sigma * sigma
    r = 1 / (float(t['gaussian.rest'][0]) + s2) if U.shape[0] < U.shape[1] else 0.0  # no directions off U when k = d
    return -r * e - ((e @ U.T) * (1 / (lam + s2) - r)) @ U


class Model:
    """A scorefield model file's network as a score in standardised units."""

    def __init__(self, path):
        with open(path, 'rb') as f:
            raw = f.read()
        (n,) = struct.unpack('<Q', raw[:8])
        header = json.loads(raw[8:8 + n])
        meta = header.pop('__metadata__')
        data = raw[8 + n:]
        self.t = {k: torch.from_numpy(np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], dtype=np.float32)
                                      .reshape(v['shape']).astype(np.float64)) for k, v in header.items()}
        self.arch = json.loads(meta['architecture'])
        if self.arch['kind'] != 'score-mlp':
            sys.exit('mnist_diagnose.py: expected a score model')
        norm = json.loads(meta['normalization'])
        self.mean, self.std = torch.tensor(norm['mean'], dtype=torch.float64), torch.tensor(norm['std'], dtype=torch.float64)
        loss = json.loads(meta['loss'])
        if loss['name'] != 'ncsn':
            sys.exit('mnist_diagnose.py: expected a model trained with --loss ncsn')
        self.sigmas = sorted(loss['sigmas'], reverse=True)
        self.image = json.loads(meta['image'])
        if self.arch['conditioning'] == 'mixture':
            t = self.t
            K = t['mixture.weights'].shape[0]
            self.mixture = PpcaMixture([(t['mixture.means'][k], t['mixture.vectors'][k], t['mixture.variances'][k],
                                         float(t['mixture.rests'][k])) for k in range(K)], t['mixture.weights'])

    def score(self, y, sigma):
        cond, n = self.arch['conditioning'], y.shape[0]
        c = math.sqrt(1 + sigma * sigma) if cond == 'precond' else 1.0
        h = y / c
        if cond == 'gaussian':
            h = (y - self.t['gaussian.mean']) / math.sqrt(gaussian_variance(self.t) + sigma * sigma)
        if cond == 'mixture':
            h = (y - self.mixture.mean) / math.sqrt(self.mixture.variance + sigma * sigma)
        if cond in ('embed', 'both', 'precond', 'gaussian', 'mixture'):
            l = math.log(sigma)
            e = torch.tensor([l, math.sin(l / 2), math.cos(l / 2), math.sin(l), math.cos(l), math.sin(2 * l), math.cos(2 * l)],
                             dtype=torch.float64)
            h = torch.cat([h, e.expand(n, 7)], 1)
        layers = len(self.arch['dims']) - 1
        for i in range(layers):
            h = h @ self.t[f'net.{2 * i}.weight'].T + self.t[f'net.{2 * i}.bias']
            if i < layers - 1:
                h = ACTIVATIONS[self.arch['activation']](h)
        if cond == 'precond':
            return -y / (c * c) + h / (sigma * c)
        if cond == 'gaussian':
            return gaussian_skip(self.t, y, sigma) + math.sqrt(wiener_gain(self.t, sigma)) / sigma * h
        if cond == 'mixture':
            return self.mixture.score(y, sigma) + math.sqrt(self.mixture.gain(sigma)) / sigma * h
        return h / sigma if cond in ('scale', 'both') else h


class PpcaMixture:
    """A 'mixture' model's skip: sum_k w_k N(mu_k, C_k), C_k = U_k^T diag(lambda_k) U_k + rest_k (I - U_k^T U_k), blurred."""

    def __init__(self, parts, weights):
        self.parts, self.logw = parts, torch.log(weights)
        w = weights
        self.mean = sum(w[k] * p[0] for k, p in enumerate(parts))
        d = self.mean.shape[0]
        self.variance = float(sum(w[k] * ((p[2].sum() + (d - p[2].shape[0]) * p[3]) / d + ((p[0] - self.mean) ** 2).mean())
                                  for k, p in enumerate(parts)))

    def components(self, x, sigma):
        s2, out = sigma * sigma, []
        for mu, U, lam, rest in self.parts:
            d, k = mu.shape[0], lam.shape[0]
            e = x - mu
            r = 1 / (rest + s2) if k < d else 0.0
            skip = -r * e - ((e @ U.T) * (1 / (lam + s2) - r)) @ U
            log_det = (d - k) * math.log(rest + s2) + float(torch.log(lam + s2).sum())
            out.append((skip, -0.5 * ((e * -skip).sum(1) + log_det)))
        return out

    def score(self, x, sigma):
        parts = self.components(x, sigma)
        r = torch.softmax(torch.stack([lp for _, lp in parts]) + self.logw.unsqueeze(1), 0)
        return sum(r[k].unsqueeze(1) * s for k, (s, _) in enumerate(parts))

    def gain(self, sigma):  # c_out^2 / sigma^2: sum_k w_k tr(C_k (C_k + sigma^2 I)^-1) / d
        s2 = sigma * sigma
        d = self.mean.shape[0]
        return float(sum(math.exp(float(self.logw[k])) * ((lam / (lam + s2)).sum() + (d - lam.shape[0]) * rest / (rest + s2))
                         for k, (mu, U, lam, rest) in enumerate(self.parts)) / d)


class Mixture:
    """Gaussians fitted to groups of points; the exact score of their mixture blurred by N(0, sigma^2 I)."""

    def __init__(self, y, groups):
        self.mu = torch.stack([y[g].mean(0) for g in groups])
        lam, U = zip(*(torch.linalg.eigh(torch.cov(y[g].T, correction=0)) for g in groups))
        self.lam, self.U = torch.stack(lam).clamp(min=0), torch.stack(U)
        self.logw = torch.log(torch.tensor([len(g) / len(y) for g in groups], dtype=torch.float64))

    def responsibilities(self, x, sigma):
        v = self.lam + sigma * sigma  # [K, d]
        p = torch.einsum('knd,kde->kne', x.unsqueeze(0) - self.mu.unsqueeze(1), self.U)  # [K, n, d]
        logp = -0.5 * (p * p / v.unsqueeze(1)).sum(2) - 0.5 * torch.log(v).sum(1, keepdim=True)
        return torch.softmax(logp + self.logw.unsqueeze(1), 0), p, v

    def score(self, x, sigma):
        r, p, v = self.responsibilities(x, sigma)
        return (r.unsqueeze(2) * -torch.einsum('kne,kde->knd', p / v.unsqueeze(1), self.U)).sum(0)


def chains(model, o, g, side):
    """The chains report (module docstring): where annealed chains on the model leave the digits, and the guard."""
    if model.arch['conditioning'] != 'mixture':
        sys.exit("mnist_diagnose.py chains: needs a model with conditioning 'mixture'")
    test = (digits('test', side)[0] - model.mean) / model.std
    sig, d = model.sigmas, test.shape[1]
    last = sig[-1]
    z = torch.randn(o.n, d, generator=g, dtype=torch.float64)
    largest = torch.zeros(o.n, dtype=torch.float64)

    def step_score(y, s):
        raw, k = model.score(y, s), model.mixture.score(y, s)
        kk = (k * k).sum(1)
        ratio = (raw * k).sum(1) / kk  # s.k / |k|^2: the guard acts below 1
        guarded = raw if o.no_guard else raw + (torch.clamp(kk - (raw * k).sum(1), min=0) / kk).unsqueeze(1) * k
        return guarded, raw, k, ratio

    print(json.dumps({'columns': ['level', 'sigma', 'largest px', 'past 2', 'past 10', 'corr/skip median', 'corr/skip largest',
                                  's.k/|k|^2 chains smallest', 'digits smallest', 'digits 1%'], 'guard': not o.no_guard}))
    for i, s in enumerate(sig):
        alpha = o.step_size * s * s / (last * last)
        for _ in range(o.steps_per_level):
            z = z + alpha / 2 * step_score(z, s)[0] + math.sqrt(alpha) * torch.randn(o.n, d, generator=g, dtype=torch.float64)
            largest = torch.maximum(largest, (z * model.std + model.mean).abs().max(1).values)
        _, raw, k, ratio = step_score(z, s)
        corr = (raw - k).norm(dim=1) / k.norm(dim=1)
        noisy = test + s * torch.randn(test.shape, generator=g, dtype=torch.float64)
        held = step_score(noisy, s)[3]
        print(f'{i + 1} {s:.4g} {float(largest.max()):.3g} {int((largest > 2).sum())} {int((largest > 10).sum())} '
              f'{float(corr.median()):.3g} {float(corr.max()):.3g} {float(ratio.min()):.3g} {float(held.min()):.3g} '
              f'{float(held.quantile(0.01)):.3g}', flush=True)
        largest.zero_()
    z = z + last * last / 2 * step_score(z, last)[0]
    x = z * model.std + model.mean
    np.save(o.out, x.numpy().astype(np.float32))
    px = x.abs().max(1).values
    print(json.dumps({'out': o.out, 'n': o.n, 'past2': int((px > 2).sum()), 'past10': int((px > 10).sum()), 'largest': float(px.max())}))


def main():
    a = argparse.ArgumentParser()
    a.add_argument('report', choices=['denoise', 'sample', 'chains'])
    a.add_argument('--model', required=True)
    a.add_argument('--step-size', type=float)
    a.add_argument('--steps-per-level', type=int, default=100)
    a.add_argument('--n', type=int, default=500)
    a.add_argument('--seed', type=int, default=1)
    a.add_argument('--out')
    a.add_argument('--score', choices=['classes', 'skip'], default='classes')
    a.add_argument('--no-guard', action='store_true')
    o = a.parse_args()
    torch.set_num_threads(1)
    model = Model(o.model)
    side = model.image['width']
    x, lab = digits('train', side)
    y = (x - model.mean) / model.std
    classes = Mixture(y, [torch.nonzero(lab == k).squeeze(1) for k in range(10)])
    g = torch.Generator().manual_seed(o.seed)
    if o.report == 'denoise':
        one = Mixture(y, [torch.arange(len(y))])
        test = (digits('test', side)[0] - model.mean) / model.std
        d = test.shape[1]
        skip = model.arch['conditioning'] == 'mixture'
        print(json.dumps({'columns': ['sigma', 'mean', 'gaussian', 'classes', 'model'] + (['skip'] if skip else []), 'heldOut': len(test)}))
        for s in model.sigmas:
            noisy = test + s * torch.randn(test.shape, generator=g, dtype=torch.float64)
            err = lambda D: float(((D - test) ** 2).sum(1).mean() / (d * s * s))  # noqa: E731
            row = [s, err(one.mu.expand(len(test), d)), err(noisy + s * s * one.score(noisy, s)),
                   err(noisy + s * s * classes.score(noisy, s)), err(noisy + s * s * model.score(noisy, s))]
            if skip:
                row.append(err(noisy + s * s * model.mixture.score(noisy, s)))
            print(' '.join(f'{v:.4g}' for v in row), flush=True)
        return
    if o.step_size is None or o.out is None:
        sys.exit(f'mnist_diagnose.py {o.report}: --step-size and --out are required')
    if o.report == 'chains':
        return chains(model, o, g, side)
    if o.score == 'skip' and model.arch['conditioning'] != 'mixture':
        sys.exit("mnist_diagnose.py sample: --score skip needs a model with conditioning 'mixture'")
    score = model.mixture.score if o.score == 'skip' else classes.score
    sig, d = model.sigmas, y.shape[1]
    last = sig[-1]
    z = torch.randn(o.n, d, generator=g, dtype=torch.float64)
    shares = lambda s: (torch.bincount(classes.responsibilities(z, s)[0].argmax(0), minlength=10).double() / o.n).tolist()  # noqa: E731
    for i, s in enumerate(sig):
        alpha = o.step_size * s * s / (last * last)
        for _ in range(o.steps_per_level):
            z = z + alpha / 2 * score(z, s) + math.sqrt(alpha) * torch.randn(o.n, d, generator=g, dtype=torch.float64)
        if i % 4 == 0:
            print(f'level {i + 1} sigma {s:.4g}: class shares ' + ' '.join(f'{v:.3f}' for v in shares(s)), file=sys.stderr, flush=True)
    z = z + last * last / 2 * score(z, last)
    np.save(o.out, (z * model.std + model.mean).numpy().astype(np.float32))
    print(json.dumps({'out': o.out, 'shares': shares(last), 'weights': torch.exp(classes.logw).tolist(), 'levels': len(sig),
                      'stepsPerLevel': o.steps_per_level, 'stepSize': o.step_size}))


if __name__ == '__main__':
    main()
