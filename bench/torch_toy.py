"""PyTorch replica of the Wasserstein study's 2-D preset (a reference, not a gankit test).

Trains the study's ring8 / grid25 preset in PyTorch, with or without spectral normalisation on D,
and prints modes covered and the high-quality share (mean ± sd over seeds), measured as gankit's
src/metrics/modes.ts does (a sample is high quality within 3σ of its nearest centre; a mode is
covered when it is the nearest mode of one of them; 2,500 samples). gankit's own numbers for the
same arms are in docs/wasserstein-study/trials (modes-<arm>-<data>-s<seed>-*.json).

The preset (src/train/config.ts TOY_PROFILE, src/study/claims.ts): G and D 3×64 ReLU MLPs with
Glorot-uniform weights and zero biases, z ~ N(0, I₂), batch 256, Adam lr 1e-3 β (0.5, 0.999)
decayed linearly to 0 at the last step, one D step per G step, 2,000 G steps. Spectral norm is
torch.nn.utils.parametrizations.spectral_norm on every linear layer of D. By default exactly one
power iteration per D step, as gankit does (src/models/spectral.ts): real and fake in one forward,
G's step with D in eval mode (σ from the last u, v). --sn-per-forward is PyTorch's own habit, one
iteration per forward in training mode: three per step here (real, fake, G's step).

    python3 bench/torch_toy.py [--arms ns,ns-sn,hinge,hinge-sn] [--data ring8,grid25] [--seeds 5]
                               [--steps 2000] [--sn-per-forward] [--json FILE]
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get('GANKIT_TORCH_THREADS', '1')))


def mixture(name):
    """Centres and σ of the study's mixtures (src/data/points.ts)."""
    if name == 'ring8':
        return [(2 * math.cos(2 * math.pi * k / 8), 2 * math.sin(2 * math.pi * k / 8)) for k in range(8)], 0.02
    if name == 'grid25':
        return [(float(x), float(y)) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)], 0.05
    raise SystemExit(f'--data: unknown mixture {name!r} (ring8, grid25)')


def sample(centres, std, n, gen):
    c = torch.tensor(centres, dtype=torch.float32)
    idx = torch.randint(len(centres), (n,), generator=gen)
    return c[idx] + std * torch.randn(n, 2, generator=gen)


def mlp(i, o, sn, width=64, depth=3):
    dims = [i] + [width] * depth + [o]
    layers = []
    for l in range(len(dims) - 1):
        lin = nn.Linear(dims[l], dims[l + 1])
        nn.init.xavier_uniform_(lin.weight)
        nn.init.zeros_(lin.bias)
        layers.append(nn.utils.parametrizations.spectral_norm(lin) if sn else lin)
        if l + 2 < len(dims):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def losses(kind):
    if kind == 'ns':
        d = lambda r, f: F.softplus(-r).mean() + F.softplus(f).mean()
        g = lambda f: F.softplus(-f).mean()
    elif kind == 'hinge':
        d = lambda r, f: F.relu(1 - r).mean() + F.relu(1 + f).mean()
        g = lambda f: -f.mean()
    else:
        raise SystemExit(f'--arms: unknown loss {kind!r} (ns, hinge, with -sn)')
    return d, g


def modes(points, centres, std):
    c = torch.tensor(centres, dtype=torch.float32)
    d2 = torch.cdist(points, c) ** 2
    best, which = d2.min(dim=1)
    hq = best <= (3 * std) ** 2
    covered = len(set(which[hq].tolist()))
    return covered, hq.float().mean().item()


def trial(arm, data, seed, steps, sn_once=True, batch=256, lr=1e-3):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(1000 + seed)
    centres, std = mixture(data)
    kind, sn = arm.removesuffix('-sn'), arm.endswith('-sn')
    d_loss, g_loss = losses(kind)
    G, D = mlp(2, 2, False), mlp(2, 1, sn)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
    decay = lambda step: 1 - step / steps
    sched = [torch.optim.lr_scheduler.LambdaLR(o, decay) for o in (opt_d, opt_g)]
    for _ in range(steps):
        real = sample(centres, std, batch, gen)
        fake = G(torch.randn(batch, 2, generator=gen)).detach()
        opt_d.zero_grad()
        if sn_once:
            D.train()
            scores = D(torch.cat([real, fake])).squeeze(1)
            d_loss(scores[:batch], scores[batch:]).backward()
        else:
            d_loss(D(real).squeeze(1), D(fake).squeeze(1)).backward()
        opt_d.step()
        opt_g.zero_grad()
        if sn_once:
            D.eval()
        g_loss(D(G(torch.randn(batch, 2, generator=gen))).squeeze(1)).backward()
        opt_g.step()
        for s in sched:
            s.step()
    with torch.no_grad():
        return modes(G(torch.randn(2500, 2, generator=gen)), centres, std)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--arms', default='ns,ns-sn,hinge,hinge-sn')
    p.add_argument('--data', default='ring8,grid25')
    p.add_argument('--seeds', type=int, default=5)
    p.add_argument('--steps', type=int, default=2000)
    p.add_argument('--sn-per-forward', action='store_true', help="one power iteration per forward (PyTorch's habit), not one per D step (gankit's)")
    p.add_argument('--json', default=None)
    a = p.parse_args()
    out = {}
    for data in a.data.split(','):
        total = len(mixture(data)[0])
        for arm in a.arms.split(','):
            runs = [trial(arm, data, s, a.steps, not a.sn_per_forward) for s in range(1, a.seeds + 1)]
            m = [r[0] for r in runs]
            h = [r[1] for r in runs]
            mean = lambda xs: sum(xs) / len(xs)
            sd = lambda xs: math.sqrt(sum((x - mean(xs)) ** 2 for x in xs) / max(1, len(xs) - 1))
            out[f'{arm}/{data}'] = {'modes': m, 'hq': h}
            print(f'{data:7s} {arm:9s} modes {mean(m):5.1f} ± {sd(m):4.1f} of {total}   HQ {mean(h):.2f} ± {sd(h):.2f}   ({a.seeds} seeds, {a.steps} steps{", SN iterated per forward" if a.sn_per_forward else ""})', flush=True)
    if a.json:
        tmp = a.json + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(out, f, indent=1)
        os.replace(tmp, a.json)


if __name__ == '__main__':
    sys.exit(main())
