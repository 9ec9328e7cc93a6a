#!/usr/bin/python3
"""Trains the fixed MNIST classifier whose penultimate layer is scorefield's image feature map.

Run from the repo root after `pnpm --filter @scorefield/datasets build` (which writes the IDX files in data/):

    /usr/bin/python3 packages/datasets/scripts/train_classifier.py

Reads the train and test splits exactly as the package ships them (data/*.idx*-ubyte), trains a small convolutional
net on the train split only (conv 3x3 1->8, silu, max-pool 2; conv 3x3 8->16, silu, max-pool 2; dense 784->128, silu;
dense 128->10), and writes
  assets/mnist-classifier.safetensors   the weights (PyTorch's layouts, float32), feature_scale (the
                                        root-mean-square of the penultimate layer over the train digits) and, as
                                        metadata, the architecture, the recipe, the test accuracy, the data's SHA-256
  test/classifier-fixture.json          features and probabilities of a few test digits (28x28 and 14x14), which
                                        the TypeScript forward pass must reproduce

Seeded and deterministic (one thread, deterministic algorithms): a rerun on the same machine gave the same bytes.
Recipe:
Adam (lr 1e-3, cosine decay to 0), batch 128, 20 epochs over the train digits plus their 14x14 versions
(2x2 mean pooling, shown to the net upsampled back to 28x28 by repeating each pixel 2x2, as the TypeScript
side does for 14x14 input), each image shifted by a random -2..2 pixels in x and y per step (the digits have
a 4-pixel blank border, so nothing is cut).

Why convolutions: the feature map must see what goes wrong in samples, residual pixel noise included. An MLP's
first-layer weights for pixels that are blank in every training digit never get a gradient, so noise there barely
reaches its features (KID of digits with N(0, 0.3^2) noise: indistinguishable from real ones). Convolution weights
are shared across positions, so they are trained everywhere and respond to noise on the background too.
"""
import hashlib
import json
import math
import os
import struct
import subprocess
import sys

import numpy as np
import torch

SEED = 0
EPOCHS = 20
BATCH = 128
LR = 1e-3
SHIFT = 2
CHANNELS = [8, 16]
HIDDEN = 128
FIXTURE_28 = 8  # first test digits whose outputs go in the fixture, at 28x28
FIXTURE_14 = 4  # and at 14x14

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)
DATA = os.path.join(PKG, 'data')


def read_idx(name):
    """An IDX file of unsigned bytes (magic 0 0 8 rank, big-endian u32 dims) as a uint8 array of its shape."""
    with open(os.path.join(DATA, name), 'rb') as f:
        raw = f.read()
    if raw[0:3] != b'\x00\x00\x08':
        sys.exit(f'{name}: not an unsigned-byte IDX file')
    rank = raw[3]
    dims = struct.unpack(f'>{rank}I', raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims), hashlib.sha256(raw).hexdigest()


def split(name):
    images, h_images = read_idx(f'mnist-{name}-images.idx3-ubyte')
    labels, h_labels = read_idx(f'mnist-{name}-labels.idx1-ubyte')
    return images, labels.astype(np.int64), {f'{name}_images_sha256': h_images, f'{name}_labels_sha256': h_labels}


def as28(images):
    """Bytes to float32 in [0, 1]: byte / 255 (one float32 division, as the TypeScript loader)."""
    return torch.tensor(images, dtype=torch.float32).reshape(len(images), 28, 28) / 255


def as14up(images):
    """2x2 mean pooling (sum of 4 bytes / 1020, one float32 division) then each pixel repeated 2x2 back to 28x28."""
    sums = images.reshape(len(images), 14, 2, 14, 2).astype(np.int64).sum(axis=(2, 4))
    pooled = torch.tensor(sums, dtype=torch.float32) / 1020
    return pooled.repeat_interleave(2, 1).repeat_interleave(2, 2)


class Classifier(torch.nn.Module):
    """conv 3x3 (1 -> 8) silu, max-pool 2, conv 3x3 (8 -> 16) silu, max-pool 2, dense 784 -> 128 silu, dense 128 -> 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, CHANNELS[0], 3, padding=1)
        self.conv2 = torch.nn.Conv2d(CHANNELS[0], CHANNELS[1], 3, padding=1)
        self.fc1 = torch.nn.Linear(CHANNELS[1] * 7 * 7, HIDDEN)
        self.fc2 = torch.nn.Linear(HIDDEN, 10)

    def hidden(self, x):
        silu, pool = torch.nn.functional.silu, torch.nn.functional.max_pool2d
        x = pool(silu(self.conv1(x.reshape(len(x), 1, 28, 28))), 2)
        x = pool(silu(self.conv2(x)), 2)
        return silu(self.fc1(x.reshape(len(x), -1)))

    def forward(self, x):
        return self.fc2(self.hidden(x))


def shifted(batch, gen):
    """Each image moved by its own random (dy, dx) in -SHIFT..SHIFT, blank pixels coming in from the border."""
    n = len(batch)
    padded = torch.nn.functional.pad(batch, (SHIFT, SHIFT, SHIFT, SHIFT))
    dy, dx = torch.randint(0, 2 * SHIFT + 1, (2, n), generator=gen)
    rows = (dy[:, None] + torch.arange(28)[None, :])[:, :, None]
    cols = (dx[:, None] + torch.arange(28)[None, :])[:, None, :]
    return padded[torch.arange(n)[:, None, None], rows, cols]


def accuracy(net, x, y):
    with torch.no_grad():
        return float((net(x).argmax(1) == torch.tensor(y)).double().mean())


def write_safetensors(path, tensors, metadata):
    """safetensors: u64 little-endian header length, JSON header (names sorted, padded with spaces to 8 bytes), data."""
    header, blobs, offset = {'__metadata__': metadata}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().to(torch.float32).numpy().astype('<f4')
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + t.nbytes]}
        blobs.append(t.tobytes())
        offset += t.nbytes
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    write_atomic(path, struct.pack('<Q', len(text)) + text + b''.join(blobs))


def write_atomic(path, data):
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)

    train_images, train_labels, hashes = split('train')
    test_images, test_labels, test_hashes = split('test')
    hashes.update(test_hashes)
    x = torch.cat([as28(train_images), as14up(train_images)])
    y = torch.tensor(np.concatenate([train_labels, train_labels]))

    net = Classifier()
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    steps_per_epoch = math.ceil(len(x) / BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / (EPOCHS * steps_per_epoch))))
    for epoch in range(EPOCHS):
        perm = torch.randperm(len(x), generator=gen)
        total = 0.0
        for i in range(0, len(x), BATCH):
            j = perm[i:i + BATCH]
            loss = torch.nn.functional.cross_entropy(net(shifted(x[j], gen)), y[j])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(j)
        print(f'epoch {epoch + 1}/{EPOCHS}: loss {total / len(x):.4f}', flush=True)

    net.eval()
    # The feature map is the penultimate layer divided by its root-mean-square over the train digits, so that the
    # KID kernel (a . b / d + 1)^3 sees dot products of order 1 (raw, they are about 9 per coordinate: the cubic
    # term then dominates and the estimates are noisier).
    with torch.no_grad():
        scale = net.hidden(as28(train_images)).pow(2).mean().sqrt().reshape(1)
    acc = {
        'test_accuracy': accuracy(net, as28(test_images), test_labels),
        'test_accuracy_14': accuracy(net, as14up(test_images), test_labels),
        'train_accuracy': accuracy(net, as28(train_images), train_labels),
    }
    print(json.dumps(acc), flush=True)

    metadata = {
        'format': 'scorefield-mnist-classifier',
        'architecture': 'cnn: conv1 3x3 1->8 pad 1, silu, maxpool 2; conv2 3x3 8->16 pad 1, silu, maxpool 2; '
        'h = silu(fc1(flatten [16, 7, 7])), 128; features = h / feature_scale; probabilities = softmax(fc2(h))',
        'input': '28x28 pixels in [0, 1], row-major; 14x14 images are upsampled by repeating each pixel 2x2',
        'recipe': f'adam lr {LR} cosine to 0, batch {BATCH}, {EPOCHS} epochs, train split + its 14x14 versions, '
        f'random shifts of -{SHIFT}..{SHIFT} pixels, seed {SEED}',
        'torch': torch.__version__,
        **{k: f'{v:.6f}' for k, v in acc.items()},
        **hashes,
    }
    tensors = {**net.state_dict(), 'feature_scale': scale}
    write_safetensors(os.path.join(PKG, 'assets', 'mnist-classifier.safetensors'), tensors, metadata)

    with torch.no_grad():
        cases = []
        for size, n, prepare in [(28, FIXTURE_28, as28), (14, FIXTURE_14, as14up)]:
            xs = prepare(test_images[:n])
            hidden = net.hidden(xs)
            feats = hidden / scale
            probs = torch.softmax(net.fc2(hidden), 1)
            for k in range(n):
                cases.append({
                    'imageSize': size,
                    'testIndex': k,
                    'label': int(test_labels[k]),
                    'features': [float(v) for v in feats[k]],
                    'probabilities': [float(v) for v in probs[k]],
                })
    fixture = {'note': 'written by scripts/train_classifier.py; float32 outputs of PyTorch', **acc, 'cases': cases}
    fixture_path = os.path.join(PKG, 'test', 'classifier-fixture.json')
    write_atomic(fixture_path, (json.dumps(fixture, indent=2) + '\n').encode())
    # The repo's formatter owns the layout of every .json file: format it here so a rerun leaves no diff.
    subprocess.run([os.path.join(PKG, '..', '..', 'node_modules', '.bin', 'biome'), 'format', '--write', fixture_path], check=True)


if __name__ == '__main__':
    main()
