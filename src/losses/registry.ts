/**
 * Every gankit loss by name, with its paper preset as data. The trainer, the config and the CLI
 * read this one table; the loss modules stay pure functions (tensors in, a scalar out). A loss
 * added from outside gankit goes in with `registerLoss` and is then a loss like any other.
 *
 * A loss here is the adversarial objective only. Conditioning (cgan), the auxiliary classifier
 * (acgan) and InfoGAN's codes are *variants* that wrap a base loss: see VARIANTS below, and
 * src/losses/objective.ts for how the terms are put together.
 */
import { tf } from '../engine/index.js';
import type { OptimizerSettings } from '../engine/index.js';
import { minimaxDiscriminatorLoss, minimaxGeneratorLoss, nonSaturatingGeneratorLoss } from './gan.js';
import { LSGAN_CODINGS, lsganDiscriminatorLoss, lsganGeneratorLoss } from './lsgan.js';
import { wassersteinCriticLoss, wassersteinGeneratorLoss, clipWeights, criticStepsFor } from './wgan.js';
import { wganGpPenalty, draganPenalty, r1Penalty, r2Penalty } from './gradientPenalty.js';
import { beganDiscriminatorLoss, beganGeneratorLoss, updateK, convergenceMeasure } from './began.js';
import { hingeDiscriminatorLoss, hingeGeneratorLoss } from './hinge.js';
import {
  rsganDiscriminatorLoss,
  rsganGeneratorLoss,
  rasganDiscriminatorLoss,
  rasganGeneratorLoss,
  ralsganDiscriminatorLoss,
  ralsganGeneratorLoss,
  rahingeDiscriminatorLoss,
  rahingeGeneratorLoss,
} from './relativistic.js';
import { HYPERPARAMETERS } from './hyperparameters.js';
import type { HyperparameterRow } from './hyperparameters.js';
import { numberIn } from '../schema.js';
import { defineMetricColumns } from '../runfolder/columns.js';
import type { AdversarialOutputs, GanLoss, GanVariant, LossHyperparameters, LossState } from './types.js';

export type * from './types.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const dataNameOf = (o: Record<string, unknown>): unknown => (isRecord(o.data) ? o.data.name : undefined);
/** The 28×28 datasets InfoGAN's paper architecture is for. */
const PAPER_DATA: unknown[] = ['fashion-mnist', 'mnist'];

const adam = (lr: number, beta1: number, beta2: number): OptimizerSettings => ({ name: 'adam', lr, beta1, beta2 });
const rmsprop = (lr: number): OptimizerSettings => ({ name: 'rmsprop', lr, decay: 0.9 });
const noState = (): LossState => ({});
const keepState = (state: LossState): LossState => state;
const noDiagnostics = (): Record<string, number> => ({});
/** For losses without state across steps and without diagnostics of their own. */
const STATELESS = { initialState: noState, nextState: keepState, diagnostics: noDiagnostics };
/** The critics' diagnostic column: −L_D without the penalty. */
export const CRITIC_COLUMNS = [
  { name: 'wassersteinEstimate', label: 'Wasserstein estimate E[D(x)] − E[D(G(z))]', short: 'Wasserstein estimate −L_D', unit: 'E[D(x)] − E[D(G(z))]', panel: 'Wasserstein estimate −L_D (critic)', series: 'W', progress: { label: 'W', digits: 3 } },
] as const;
const criticDiagnostics = (means: { real: number; fake: number }) => ({ wassersteinEstimate: means.real - means.fake });
/** BEGAN's diagnostic columns. */
const BEGAN_COLUMNS = [
  { name: 'k', label: 'BEGAN: the balance k_t', unit: 'value', panel: 'BEGAN balance', series: 'k' },
  { name: 'convergence', label: 'BEGAN: the convergence measure M_global', unit: 'value', panel: 'BEGAN balance', series: 'M_global', better: 'lower' },
] as const;

const NS_FORMULA_D = 'E[softplus(−D(x))] + E[softplus(D(G(z)))]';
const DCGAN_ADAM = adam(2e-4, 0.5, 0.999);
const LABEL_SMOOTHING_NOTE =
  '**Label smoothing** is not part of any loss. `realLabelSmoothing` (one-sided; the real target becomes 1 − s) is an explicit option of the D loss of every loss whose preset has it (see the hyper-parameters below), default 0.';
/** What TF-GAN and GAN Lab do to the standard GAN's real term. */
const STANDARD_GAN_DEVIATIONS: Array<[string, string]> = [
  ['TF-GAN', 'one-sided label smoothing 0.25 on real labels by default'],
  ['GAN Lab', 'multiplies the real term by 0.95'],
];

const BUILT_IN: GanLoss[] = [
  {
    name: 'ns',
    title: 'Non-saturating GAN',
    paper: 'Goodfellow et al. 2014, Generative Adversarial Nets',
    formulaD: NS_FORMULA_D,
    formulaG: 'E[softplus(−D(G(z)))]',
    discriminator: 'logit',
    generatorUsesReal: false,
    preset: { optimizerD: DCGAN_ADAM, optimizerG: DCGAN_ADAM, nCritic: 1, hyper: { realLabelSmoothing: 0 }, source: 'Adam 2e-4, β=(0.5, 0.999), 1 D step (DCGAN practice)' },
    discriminatorLoss: (o, h) => minimaxDiscriminatorLoss(o.real, o.fake, h),
    generatorLoss: (o) => nonSaturatingGeneratorLoss(o.fake),
    ...STATELESS,
    details: [LABEL_SMOOTHING_NOTE],
    deviations: STANDARD_GAN_DEVIATIONS,
  },
  {
    name: 'minimax',
    title: 'Minimax (saturating) GAN',
    paper: 'Goodfellow et al. 2014, Generative Adversarial Nets',
    formulaD: NS_FORMULA_D,
    formulaG: '−E[softplus(D(G(z)))] = E[log(1 − σ(D(G(z))))]',
    discriminator: 'logit',
    generatorUsesReal: false,
    preset: { optimizerD: DCGAN_ADAM, optimizerG: DCGAN_ADAM, nCritic: 1, hyper: { realLabelSmoothing: 0 }, source: 'Adam 2e-4, β=(0.5, 0.999), 1 D step (DCGAN practice)' },
    discriminatorLoss: (o, h) => minimaxDiscriminatorLoss(o.real, o.fake, h),
    generatorLoss: (o) => minimaxGeneratorLoss(o.fake),
    ...STATELESS,
    deviations: STANDARD_GAN_DEVIATIONS,
  },
  {
    name: 'lsgan',
    title: 'Least-squares GAN',
    paper: 'Mao et al. 2017, Least Squares Generative Adversarial Networks',
    formulaD: '½E[(D(x) − b)²] + ½E[(D(G(z)) − a)²]',
    formulaG: '½E[(D(G(z)) − c)²]',
    discriminator: 'critic',
    generatorUsesReal: false,
    preset: { optimizerD: DCGAN_ADAM, optimizerG: DCGAN_ADAM, nCritic: 1, hyper: { coding: '0-1-1' }, source: "Adam β1 0.5 (paper), lr 2e-4 (DCGAN); coding (a,b,c) = (0,1,1) as in the paper's experiments; 'chi2' = (−1,1,0)" },
    discriminatorLoss: (o, h) => lsganDiscriminatorLoss(o.real, o.fake, LSGAN_CODINGS[h.coding!]),
    generatorLoss: (o, h) => lsganGeneratorLoss(o.fake, LSGAN_CODINGS[h.coding!]),
    ...STATELESS,
    deviations: [
      ['znxlwm (pytorch-generative-model-collections)', 'drops the ½ factors (a rescaling of the loss and so of the learning rate)'],
      ['compare_gan, GAN Lab', 'apply a sigmoid to D before the squares'],
    ],
  },
  {
    name: 'wgan',
    title: 'Wasserstein GAN (weight clipping)',
    paper: 'Arjovsky, Chintala & Bottou 2017, Wasserstein GAN',
    formulaD: 'E[D(G(z))] − E[D(x)];  clip weights to [−c, c]',
    formulaG: '−E[D(G(z))]',
    discriminator: 'critic',
    generatorUsesReal: false,
    preset: {
      optimizerD: rmsprop(5e-5),
      optimizerG: rmsprop(5e-5),
      nCritic: 5,
      batchSize: 64,
      hyper: { clipValue: 0.01, warmup: true },
      source: 'Algorithm 1: RMSProp 5e-5, batch 64, n_critic 5, c 0.01; reference-code warm-up (100 critic steps for the first 25 G steps and every 500th)',
    },
    discriminatorLoss: (o) => wassersteinCriticLoss(o.real, o.fake),
    generatorLoss: (o) => wassersteinGeneratorLoss(o.fake),
    afterDiscriminatorStep: (vars, h) => clipWeights(vars, h.clipValue),
    criticSteps: (step, nCritic, h) => criticStepsFor(step, { nCritic, warmup: Boolean(h.warmup) }),
    initialState: noState,
    nextState: keepState,
    diagnostics: criticDiagnostics,
    columns: CRITIC_COLUMNS,
    details: [
      '−L_D is the Wasserstein estimate that gankit plots. Reference code: 100 critic steps while the generator has made fewer than 25 steps, and on every 500th generator step (`warmup`).',
    ],
  },
  {
    name: 'wgan-gp',
    title: 'Wasserstein GAN with gradient penalty',
    paper: 'Gulrajani et al. 2017, Improved Training of Wasserstein GANs',
    formulaD: 'E[D(x̃)] − E[D(x)] + λE[(‖∇D(x̂)‖₂ − 1)²], x̂ = εx + (1−ε)x̃, ε per sample',
    formulaG: '−E[D(G(z))]',
    discriminator: 'critic',
    generatorUsesReal: false,
    preset: {
      optimizerD: adam(1e-4, 0, 0.9),
      optimizerG: adam(1e-4, 0, 0.9),
      nCritic: 5,
      batchSize: 64,
      hyper: { lambda: 10, oneSided: false },
      source: 'Algorithm 1: λ 10, n_critic 5, Adam 1e-4, β=(0, 0.9) (the authors\u2019 code used β1 0.5; their 2-D toy code λ 0.1)',
    },
    // λ at 2-D scale comes from the penalty rule (10 → 0.1, the authors' own 2-D toy code); β1 0.5 is
    // also theirs: with the image preset's β1 0 it lost modes on some seeds at this budget.
    penaltyWeight: 'lambda',
    toyProfile: { optimizerD: { beta1: 0.5 }, optimizerG: { beta1: 0.5 } },
    discriminatorLoss: (o) => wassersteinCriticLoss(o.real, o.fake),
    generatorLoss: (o) => wassersteinGeneratorLoss(o.fake),
    penalty: (p, h) => wganGpPenalty(p.critic, p.real, p.fake, { lambda: h.lambda, oneSided: h.oneSided, rng: p.rng }),
    initialState: noState,
    nextState: keepState,
    diagnostics: criticDiagnostics,
    columns: CRITIC_COLUMNS,
    details: [
      'x̂ = εx + (1 − ε)x̃ with ε ~ U[0,1] drawn **per sample**; the norm is taken **per sample over all of its dimensions** (C×H×W flattened). The critic must score samples independently (no batch norm; layer norm is fine). One-sided variant `max(0, ‖g‖ − 1)²`: option `oneSided`. The authors\u2019 2-D toy code used λ = 0.1 and their image code β1 = 0.5.',
    ],
    deviations: [
      ['torchgan', 'one ε for the whole batch instead of one per sample'],
      ['several PyTorch/TF tutorials', 'gradient norm over one axis of a 4-D tensor, or over the whole batch'],
    ],
  },
  {
    name: 'dragan',
    title: 'DRAGAN (non-saturating GAN + gradient penalty around the data)',
    paper: 'Kodali et al. 2017, On Convergence and Stability of GANs',
    formulaD: NS_FORMULA_D + ' + λE[(‖∇D(x̂)‖₂ − 1)²], x̂ = x + α(x_p − x), x_p = x + 0.5·std(x)·U[0,1)',
    formulaG: 'E[softplus(−D(G(z)))]',
    discriminator: 'logit',
    generatorUsesReal: false,
    preset: {
      optimizerD: adam(1e-4, 0.5, 0.9),
      optimizerG: adam(1e-4, 0.5, 0.9),
      nCritic: 1,
      hyper: { lambda: 10, noiseScale: 0.5, perturbation: 'uniform', realLabelSmoothing: 0 },
      source: 'reference code: λ 10, perturbation 0.5·std(x), Adam 1e-4, β=(0.5, 0.9), 1 D step',
    },
    penaltyWeight: 'lambda',
    discriminatorLoss: (o, h) => minimaxDiscriminatorLoss(o.real, o.fake, h),
    generatorLoss: (o) => nonSaturatingGeneratorLoss(o.fake),
    penalty: (p, h) => draganPenalty(p.critic, p.real, { lambda: h.lambda, noiseScale: h.noiseScale, perturbation: h.perturbation, rng: p.rng }),
    ...STATELESS,
    details: [
      'The non-saturating loss plus a penalty around the *real* data: `x_p = x + 0.5 · std(x) · U[0,1)` (one standard deviation over the whole batch, uniform noise per element), α ~ U[0,1] per sample, `x̂ = x + α(x_p − x)`. It is not a "log of D\u2019s output" loss. The paper writes the perturbation as δ ~ N(0, cI); `perturbation: \'gaussian\'` uses `x_p = x + 0.5 · std(x) · N(0, 1)`. The reference noise is one-sided (every perturbation points along +1 in each coordinate), which on centred 2-D data penalises only one side of each sample.',
    ],
    deviations: [['many write-ups', 'describe it as a "log of the discriminator output" loss; it is not']],
  },
  {
    name: 'began',
    title: 'Boundary Equilibrium GAN',
    paper: 'Berthelot, Schumm & Metz 2017, BEGAN',
    formulaD: 'L(x) − k_t·L(G(z)),  L(v) = mean|v − AE(v)|,  k ← clip(k + λ_k(γL(x) − L(G(z))), 0, 1)',
    formulaG: 'L(G(z))',
    discriminator: 'autoencoder',
    generatorUsesReal: false,
    preset: {
      optimizerD: adam(1e-4, 0.5, 0.999),
      optimizerG: adam(1e-4, 0.5, 0.999),
      nCritic: 1,
      batchSize: 16,
      hyper: { gamma: 0.5, lambdaK: 0.001 },
      source: 'paper: Adam 1e-4 (halved when M_global stalls), batch 16, λ_k 0.001, k₀ 0; γ 0.5 (papers/code use 0.5, 0.75 or 1)',
    },
    hyperparameters: { gamma: { type: numberIn(0, 1), doc: 'the diversity ratio γ = E[L(G(z))] / E[L(x)] the equilibrium aims for' } },
    discriminatorLoss: (o, _h, s) => beganDiscriminatorLoss(o.real, o.fake, s.k),
    generatorLoss: (o) => beganGeneratorLoss(o.fake),
    initialState: () => ({ k: 0 }),
    nextState: (s, m, h) => ({ k: updateK(s.k, m.real, m.fake, { gamma: h.gamma!, lambdaK: h.lambdaK }) }),
    diagnostics: (m, h, s) => ({ k: s.k, convergence: convergenceMeasure(m.real, m.fake, h.gamma!) }),
    columns: BEGAN_COLUMNS,
    details: [
      'The discriminator is an autoencoder; `k_{t+1} = clip(k_t + λ_k(γL(x) − L(x̃)), 0, 1)`. γ is the diversity ratio; implementations default to 0.5, 0.75 or 1.0, so gankit records it. The convergence measure `M = L(x) + |γL(x) − L(x̃)|` is logged; the paper halves the learning rate when M stalls.',
    ],
    deviations: [['many write-ups', 'describe it as a "log of the discriminator output" loss; it is not']],
  },
  {
    name: 'hinge',
    title: 'Hinge loss',
    paper: 'Lim & Ye 2017, Geometric GAN; Miyato et al. 2018, SN-GAN',
    formulaD: 'E[relu(1 − D(x))] + E[relu(1 + D(G(z)))]',
    formulaG: '−E[D(G(z))]',
    discriminator: 'critic',
    generatorUsesReal: false,
    preset: { optimizerD: DCGAN_ADAM, optimizerG: DCGAN_ADAM, nCritic: 1, hyper: {}, source: 'SN-GAN setting C: Adam 2e-4, β=(0.5, 0.999), 1 D step' },
    discriminatorLoss: (o) => hingeDiscriminatorLoss(o.real, o.fake),
    generatorLoss: (o) => hingeGeneratorLoss(o.fake),
    ...STATELESS,
  },
  ...relativistic(),
  zeroCentred('r1', 'R1', 'E_x[‖∇D(x)‖²] on real data', (p, h) => r1Penalty(p.critic, p.real, h.gamma)),
  zeroCentred('r2', 'R2', 'E[‖∇D(x̃)‖²] on generated data', (p, h) => r2Penalty(p.critic, p.fake, h.gamma)),
];

function relativistic(): GanLoss[] {
  const paper = 'Jolicoeur-Martineau 2018, The relativistic discriminator';
  const table: Array<[string, string, string, string, (r: tf.Tensor, f: tf.Tensor) => tf.Scalar, (r: tf.Tensor, f: tf.Tensor) => tf.Scalar]> = [
    ['rsgan', 'Relativistic standard GAN', 'E[softplus(−(C_r − C_f))]', 'E[softplus(−(C_f − C_r))]', rsganDiscriminatorLoss, rsganGeneratorLoss],
    ['rasgan', 'Relativistic average standard GAN', '½(E[softplus(−(C_r − E C_f))] + E[softplus(C_f − E C_r)])', '½(E[softplus(−(C_f − E C_r))] + E[softplus(C_r − E C_f)])', rasganDiscriminatorLoss, rasganGeneratorLoss],
    ['ralsgan', 'Relativistic average LSGAN', '½(E[(C_r − E C_f − 1)²] + E[(C_f − E C_r + 1)²])', '½(E[(C_f − E C_r − 1)²] + E[(C_r − E C_f + 1)²])', ralsganDiscriminatorLoss, ralsganGeneratorLoss],
    ['rahinge', 'Relativistic average hinge', '½(E[relu(1 − (C_r − E C_f))] + E[relu(1 + (C_f − E C_r))])', '½(E[relu(1 − (C_f − E C_r))] + E[relu(1 + (C_r − E C_f))])', rahingeDiscriminatorLoss, rahingeGeneratorLoss],
  ];
  return table.map(([name, title, formulaD, formulaG, dLoss, gLoss]) => ({
    name,
    title,
    paper,
    formulaD,
    formulaG,
    discriminator: 'critic' as const,
    generatorUsesReal: true,
    preset: { optimizerD: DCGAN_ADAM, optimizerG: DCGAN_ADAM, nCritic: 1, hyper: {}, source: 'paper (CIFAR-10 setup): Adam 2e-4, β=(0.5, 0.999), 1 D step' },
    discriminatorLoss: (o: AdversarialOutputs) => dLoss(o.real, o.fake),
    generatorLoss: (o: AdversarialOutputs) => gLoss(o.real, o.fake),
    ...STATELESS,
    deviations: name === 'rsgan' ? [] : [['TF-GAN', 'omits the ½ of the average of the two terms']],
  }));
}

function zeroCentred(name: string, label: string, term: string, penalty: NonNullable<GanLoss['penalty']>): GanLoss {
  return {
    name,
    title: `Non-saturating GAN + ${label} penalty`,
    paper: 'Mescheder, Geiger & Nowozin 2018, Which Training Methods for GANs do actually Converge?',
    formulaD: `${NS_FORMULA_D} + (γ/2)${term}`,
    formulaG: 'E[softplus(−D(G(z)))]',
    discriminator: 'logit',
    generatorUsesReal: false,
    preset: {
      optimizerD: rmsprop(1e-4),
      optimizerG: rmsprop(1e-4),
      nCritic: 1,
      batchSize: 64,
      hyper: { gamma: 10, realLabelSmoothing: 0 },
      source: 'reference code: RMSProp 1e-4, γ 10, batch 64, 1 D step',
    },
    penaltyWeight: 'gamma',
    discriminatorLoss: (o, h) => minimaxDiscriminatorLoss(o.real, o.fake, h),
    generatorLoss: (o) => nonSaturatingGeneratorLoss(o.fake),
    penalty,
    ...STATELESS,
  };
}

const isOptimizer = (o: unknown): o is OptimizerSettings => typeof o === 'object' && o !== null && typeof (o as OptimizerSettings).name === 'string' && typeof (o as OptimizerSettings).lr === 'number';

const CGAN_CONDITIONING = 'concat';

export const VARIANTS: GanVariant[] = [
  {
    name: 'cgan',
    title: 'Conditional GAN',
    paper: 'Mirza & Osindero 2014, Conditional Generative Adversarial Nets; projection D: Miyato & Koyama 2018',
    baseLoss: 'ns',
    description: 'G gets [z, onehot(y)]; D gets y as concatenated one-hot planes, or by projection ψ(φ(x)) + ⟨embed(y), φ(x)⟩',
    preset: { optimizerD: DCGAN_ADAM, optimizerG: DCGAN_ADAM, nCritic: 1, source: 'Adam 2e-4, β1 0.5 (the paper used SGD, lr 0.1 decayed to 1e-6, momentum 0.5→0.7, and dropout — not replicated)' },
    configure: (o) => ({ conditional: o.conditional ?? CGAN_CONDITIONING }),
    mismatch: (c) => (c.conditional === 'concat' || c.conditional === 'projection' ? null : `conditional is '${c.conditional}', not concat or projection`),
  },
  {
    name: 'acgan',
    title: 'Auxiliary-classifier GAN',
    paper: 'Odena, Olah & Shlens 2017, Conditional Image Synthesis with Auxiliary Classifier GANs',
    baseLoss: 'ns',
    description: 'D has a class head; D minimises CE on real and fake, G minimises CE on fake, plus the adversarial loss',
    preset: { optimizerD: DCGAN_ADAM, optimizerG: DCGAN_ADAM, nCritic: 1, source: 'paper: Adam 2e-4, β1 0.5' },
    configure: () => ({ conditional: 'acgan' }),
    mismatch: (c) => (c.conditional === 'acgan' ? null : `conditional is '${c.conditional}', not acgan`),
  },
  {
    name: 'infogan',
    title: 'InfoGAN',
    paper: 'Chen et al. 2016, InfoGAN',
    baseLoss: 'ns',
    description: 'latent z + codes c; Q head on D predicts c; λ·L_I subtracted from both the G and the D/Q loss',
    preset: { optimizerD: adam(2e-4, 0.5, 0.999), optimizerG: adam(1e-3, 0.5, 0.999), nCritic: 1, source: 'paper (MNIST): Adam, lr 2e-4 for D/Q, 1e-3 for G, β1 0.5; λ 1' },
    // An `infogan` object of the user's is filled in from the paper's codes by the config. On
    // Fashion-MNIST and MNIST the paper's architecture (lucic28: FC 1024 in G, and in D shared with
    // Q) unless one is asked for: on dcgan28 the categorical code settles on something other than
    // the class (MNIST code accuracy ~0.36 against ~0.84 on lucic28, docs/benchmark-fashion-mnist).
    configure: (o) => ({
      ...(typeof o.infogan === 'object' && o.infogan !== null ? {} : { infogan: {} }),
      ...(PAPER_DATA.includes(dataNameOf(o)) && !(isRecord(o.model) && o.model.arch !== undefined) ? { model: { ...(isRecord(o.model) ? o.model : {}), arch: 'lucic28' } } : {}),
    }),
    mismatch: (c) => (c.infogan !== null && c.infogan !== undefined ? null : 'infogan is null (no codes, no Q head)'),
    details: [
      '`L_I = H(c) − CE(c, Q(c | G(z, c)))` is subtracted (×λ) from **both** the G and the D/Q loss. The continuous codes use a Gaussian Q with fixed σ = 1 (official code) or a learned log σ; `H(c)` is `Σ log K + d · log 2`. `--infogan` adds the codes and the Q head to any loss.',
    ],
    deviations: [['torchgan', 'the mutual-information term is detached, so it trains neither G nor Q']],
  },
];

const LOSSES: GanLoss[] = [];
/** The names of every registered loss, in registration order (the built-in ones first). */
export const LOSS_NAMES: string[] = [];

/**
 * Adds a loss to the registry: from then on `--loss NAME`, configs and the trainer accept it like a
 * built-in one. Its preset's hyper-parameters must be known (the table in hyperparameters.ts, or
 * the entry's own `hyperparameters`); a hyper-parameter the trainer passes without a value takes
 * the preset's.
 */
export function registerLoss(entry: GanLoss): GanLoss {
  const bad = (what: string) => new Error(`registerLoss: ${entry?.name ?? '(no name)'}: ${what}`);
  if (!entry || typeof entry.name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(entry.name)) throw bad('needs a name of lower-case letters, digits and dashes');
  if (LOSS_NAMES.includes(entry.name) || VARIANTS.some((v) => v.name === entry.name)) throw bad('a loss or variant of that name exists');
  for (const fn of ['discriminatorLoss', 'generatorLoss', 'initialState', 'nextState', 'diagnostics'] as const) {
    if (typeof entry[fn] !== 'function') throw bad(`${fn} must be a function`);
  }
  if (!['logit', 'critic', 'autoencoder'].includes(entry.discriminator)) throw bad("discriminator must be 'logit', 'critic' or 'autoencoder'");
  const p = entry.preset;
  if (!p || !isOptimizer(p.optimizerD) || !isOptimizer(p.optimizerG) || !(Number.isInteger(p.nCritic) && p.nCritic > 0) || typeof p.hyper !== 'object' || typeof p.source !== 'string') {
    throw bad('preset needs optimizerD, optimizerG ({ name, lr, … }), a positive integer nCritic, hyper and source');
  }
  for (const [k, own] of Object.entries(entry.hyperparameters ?? {})) {
    const flag = own?.flag;
    if (flag !== undefined && (typeof flag !== 'string' || !/^[a-z][a-z0-9-]*$/.test(flag))) throw bad(`hyper-parameter '${k}': its flag must be lower-case letters, digits and dashes`);
    const taken = flag !== undefined ? Object.entries(hyperparameterRows()).find(([name, row]) => row.flag === flag && name !== k) : undefined;
    if (taken) throw bad(`hyper-parameter '${k}': the flag --${flag} sets '${taken[0]}' already`);
  }
  if (entry.penaltyWeight !== undefined && typeof (p.hyper as Record<string, unknown>)[entry.penaltyWeight] !== 'number') throw bad(`penaltyWeight '${entry.penaltyWeight}' must name a number in the preset's hyper`);
  for (const k of Object.keys(p.hyper)) {
    if (!(k in HYPERPARAMETERS) && !entry.hyperparameters?.[k]) throw bad(`preset hyper-parameter '${k}' is not in the hyper-parameter table; declare it in the entry's hyperparameters`);
  }
  if (entry.columns !== undefined && !Array.isArray(entry.columns)) throw bad('columns must be a list of metric columns');
  try {
    defineMetricColumns(entry.columns ?? [], 'loss');
  } catch (e) {
    throw bad((e as Error).message);
  }
  const registered = withPresetDefaults(entry);
  LOSSES.push(registered);
  LOSS_NAMES.push(entry.name);
  return registered;
}

/** The entry with every hyper-parameter read through the preset: `hyper` values override, absent ones are the preset's. */
function withPresetDefaults(entry: GanLoss): GanLoss {
  const defaults = entry.preset.hyper;
  const fill = (h: LossHyperparameters | undefined): LossHyperparameters => ({ ...defaults, ...h });
  return {
    ...entry,
    discriminatorLoss: (o, h, s) => entry.discriminatorLoss(o, fill(h), s),
    generatorLoss: (o, h, s) => entry.generatorLoss(o, fill(h), s),
    penalty: entry.penalty && ((p, h) => entry.penalty!(p, fill(h))),
    afterDiscriminatorStep: entry.afterDiscriminatorStep && ((vars, h) => entry.afterDiscriminatorStep!(vars, fill(h))),
    criticSteps: entry.criticSteps && ((step, n, h) => entry.criticSteps!(step, n, fill(h))),
    nextState: (s, m, h) => entry.nextState(s, m, fill(h)),
    diagnostics: (m, h, s) => entry.diagnostics(m, fill(h), s),
  };
}

BUILT_IN.forEach(registerLoss);

/** The loss of that name; throws one clear error listing the names otherwise. */
export function getLoss(name: string): GanLoss {
  const loss = LOSSES.find((l) => l.name === name);
  if (!loss) throw new Error(`unknown loss '${name}' (choose one of ${LOSS_NAMES.join(', ')})`);
  return loss;
}

export function listLosses(): readonly GanLoss[] {
  return LOSSES;
}

/**
 * Every hyper-parameter a registered loss reads, one row each: the table's (hyperparameters.ts),
 * then those a loss declares that the table lacks (the first loss to declare one gives its row).
 * The config's `hyper.*` rows and docs/losses.md are read off it.
 */
export function hyperparameterRows(): Record<string, HyperparameterRow> {
  const rows: Record<string, HyperparameterRow> = { ...HYPERPARAMETERS };
  for (const loss of LOSSES) {
    for (const [name, own] of Object.entries(loss.hyperparameters ?? {})) if (!(name in rows)) rows[name] = { type: own.type, doc: own.doc, ...(own.flag ? { flag: own.flag } : {}) };
  }
  return rows;
}

export const VARIANT_NAMES: string[] = VARIANTS.map((v) => v.name);

export function findVariant(name: unknown): GanVariant | undefined {
  return VARIANTS.find((v) => v.name === name);
}

export function getVariant(name: string): GanVariant {
  const variant = findVariant(name);
  if (!variant) throw new Error(`unknown variant '${name}' (choose one of ${VARIANT_NAMES.join(', ')})`);
  return variant;
}
