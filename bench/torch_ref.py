"""PyTorch reference for `npm run bench`: the same models and steps as gankit's, timed the same way.

Prints one JSON object: {"torch": version, "threads": n, "blas": ..., "cases": {name: [ms per step, ...]}}.
A step is one discriminator update and one generator update (Adam), as in gankit's trainer with
n_critic 1. Cases:
  mlp2d    2-D MLP GAN, batch 256: G 2 -> 3x64 ReLU -> 2, D 2 -> 3x64 ReLU -> 1, non-saturating loss
  lucic_ns the InfoGAN/Lucic 28x28 G and D (batch norm), batch 64, non-saturating loss
  lucic_gp the same G, D without batch norm, WGAN-GP (lambda 10, double backprop), batch 64
  dcgan28  the standard DCGAN 28x28: G FC -> 128x7x7 (BN) -> two 4x4 stride-2 transposed convs;
           D two 4x4 stride-2 convs (BN on the second) and an FC; batch 64, non-saturating loss
Cases to run: GANKIT_TORCH_CASES=mlp2d,lucic_ns (default all).
Usage: python3 bench/torch_ref.py WARMUP STEPS [THREADS]
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

warmup, steps = int(sys.argv[1]), int(sys.argv[2])
MLP_SCALE = 50  # keep equal to bench/speed.ts
if len(sys.argv) > 3:
    torch.set_num_threads(int(sys.argv[3]))
torch.manual_seed(0)
# GANKIT_TORCH_DEVICE=cuda: the same models on the GPU (PyTorch >= 2.0), for the webgpu column.
DEVICE = __import__('os').environ.get('GANKIT_TORCH_DEVICE', 'cpu')
if DEVICE != 'cpu':
    torch.set_default_device(DEVICE)
sync = torch.cuda.synchronize if DEVICE.startswith('cuda') else (lambda: None)


def mlp(i, o, width=64, depth=3):
    layers, d = [], i
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.ReLU()]
        d = width
    return nn.Sequential(*layers, nn.Linear(d, o))


class LucicG(nn.Module):
    def __init__(self, z=64):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(z, 1024), nn.BatchNorm1d(1024), nn.ReLU(), nn.Linear(1024, 7 * 7 * 128), nn.BatchNorm1d(7 * 7 * 128), nn.ReLU())
        self.up = nn.Sequential(nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(), nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        return self.up(self.fc(z).view(-1, 128, 7, 7))


class LucicD(nn.Module):
    def __init__(self, norm=True):
        super().__init__()
        bn2 = nn.BatchNorm2d(128) if norm else nn.Identity()
        bn1 = nn.BatchNorm1d(1024) if norm else nn.Identity()
        self.conv = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), bn2, nn.LeakyReLU(0.2))
        self.fc = nn.Sequential(nn.Linear(7 * 7 * 128, 1024), bn1, nn.LeakyReLU(0.2), nn.Linear(1024, 1))

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1)).view(-1)


class DcganG(nn.Module):
    def __init__(self, z=64):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(z, 7 * 7 * 128), nn.BatchNorm1d(7 * 7 * 128), nn.ReLU())
        self.up = nn.Sequential(nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(), nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        return self.up(self.fc(z).view(-1, 128, 7, 7))


class DcganD(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2))
        self.fc = nn.Linear(7 * 7 * 128, 1)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1)).view(-1)


def gp(D, real, fake, lam=10.0):
    eps = torch.rand(real.shape[0], *([1] * (real.dim() - 1)))
    x = (eps * real + (1 - eps) * fake).requires_grad_(True)
    g, = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return lam * ((g.flatten(1).norm(dim=1) - 1) ** 2).mean()


def case(G, D, real_fn, z_dim, batch, loss, scale=1):
    # scale: the 2-D case's steps are ~1000x cheaper; SCALE times as many (as gankit does).
    oD = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    oG = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))

    def step():
        real = real_fn(batch)
        with torch.no_grad():
            fake = G(torch.randn(batch, z_dim))
        if loss == 'ns':
            lD = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
        else:
            lD = D(fake).mean() - D(real).mean() + gp(D, real, fake)
        oD.zero_grad(set_to_none=True)
        lD.backward()
        oD.step()
        s = D(G(torch.randn(batch, z_dim)))
        lG = F.softplus(-s).mean() if loss == 'ns' else -s.mean()
        oG.zero_grad(set_to_none=True)
        lG.backward()
        oG.step()

    for _ in range(warmup * scale):
        step()
    times = []
    for _ in range(steps * scale):
        sync()
        t = time.perf_counter()
        step()
        sync()
        times.append(1000 * (time.perf_counter() - t))
    return times


def ring(n):
    k = torch.randint(0, 8, (n,)).float() * (2 * 3.141592653589793 / 8)
    return torch.stack([2 * torch.cos(k), 2 * torch.sin(k)], 1) + 0.02 * torch.randn(n, 2)


images = lambda n: torch.rand(n, 1, 28, 28) * 2 - 1
import os
CASES = {
    'mlp2d': lambda: case(mlp(2, 2), mlp(2, 1), ring, 2, 256, 'ns', scale=MLP_SCALE),
    'lucic_ns': lambda: case(LucicG(), LucicD(True), images, 64, 64, 'ns'),
    'lucic_gp': lambda: case(LucicG(), LucicD(False), images, 64, 64, 'gp'),
    'dcgan28': lambda: case(DcganG(), DcganD(), images, 64, 64, 'ns'),
}
wanted = os.environ.get('GANKIT_TORCH_CASES', ','.join(CASES)).split(',')
cases = {name: CASES[name]() for name in wanted if name in CASES}
blas = 'system libblas.so.3 -> ' + os.path.realpath('/usr/lib/x86_64-linux-gnu/libblas.so.3') + ', OPENBLAS_CORETYPE=' + os.environ.get('OPENBLAS_CORETYPE', '(unset)')
print(json.dumps({'torch': torch.__version__, 'device': DEVICE, 'threads': torch.get_num_threads(), 'blas': blas, 'cases': cases}))
