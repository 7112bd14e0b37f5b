/**
 * Every gankit loss by name, with its paper preset as data. The trainer and the CLI read this one
 * table; the loss modules stay pure functions (tensors in, a scalar out).
 *
 * A loss here is the adversarial objective only. Conditioning (cgan), the auxiliary classifier
 * (acgan) and InfoGAN's codes are *variants* that wrap a base loss: see VARIANTS below.
 */
import { tf, Rng } from '../engine/index.js';
import { minimaxDiscriminatorLoss, minimaxGeneratorLoss, nonSaturatingGeneratorLoss } from './gan.js';
import { LSGAN_CODINGS, lsganDiscriminatorLoss, lsganGeneratorLoss } from './lsgan.js';
import { wassersteinCriticLoss, wassersteinGeneratorLoss, clipWeights } from './wgan.js';
import { Critic, wganGpPenalty, draganPenalty, r1Penalty, r2Penalty } from './gradientPenalty.js';
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
import { DEFAULT_INFO_CODES, InfoCodeSpec } from './infogan.js';

export type OptimizerName = 'adam' | 'rmsprop' | 'sgd';

export interface OptimizerSettings {
  name: OptimizerName;
  lr: number;
  beta1?: number;
  beta2?: number;
  /** SGD / RMSProp momentum. */
  momentum?: number;
  /** RMSProp decay ρ (tfjs name `decay`). */
  decay?: number;
}

/** Every hyper-parameter any loss reads; each loss documents which ones. */
export interface LossHyperparameters {
  /** Gradient-penalty weight λ (wgan-gp, dragan). */
  lambda?: number;
  /** WGAN-GP one-sided penalty max(0, ‖g‖ − 1)². */
  oneSided?: boolean;
  /** R1/R2 weight γ; BEGAN diversity ratio γ. */
  gamma?: number;
  /** WGAN weight-clipping bound c. */
  clipValue?: number;
  /** WGAN reference-code critic warm-up (100 critic steps early and every 500th G step). */
  warmup?: boolean;
  /** LSGAN coding (a, b, c). */
  coding?: keyof typeof LSGAN_CODINGS;
  /** One-sided label smoothing on real labels (ns, minimax, dragan, r1, r2). Default 0. */
  realLabelSmoothing?: number;
  /** BEGAN gain for k. */
  lambdaK?: number;
  /** DRAGAN perturbation scale relative to std(x). */
  noiseScale?: number;
  /** DRAGAN noise: 'uniform' U[0,1) (reference code, default) or 'gaussian' N(0,1) (the paper's δ). */
  perturbation?: 'uniform' | 'gaussian';
}

export interface LossPreset {
  optimizerD: OptimizerSettings;
  optimizerG: OptimizerSettings;
  /** Discriminator/critic updates per generator update. */
  nCritic: number;
  /** The paper's batch size, where it gives one. */
  batchSize?: number;
  hyper: LossHyperparameters;
  /** Where the preset comes from, and what differs from the paper, in one or two lines. */
  source: string;
}

/** What D produces for each sample: a logit, an unbounded critic score, or (BEGAN) a reconstruction loss. */
export type DiscriminatorKind = 'logit' | 'critic' | 'autoencoder';

/** D's per-sample outputs on a real and a generated batch (BEGAN: per-sample L1 reconstruction errors). */
export interface AdversarialOutputs {
  real: tf.Tensor;
  fake: tf.Tensor;
}

export interface PenaltyInputs {
  critic: Critic;
  real: tf.Tensor;
  fake: tf.Tensor;
  rng: Rng;
}

/** Loss state that lives across steps (BEGAN's k). Plain numbers: it goes into checkpoints. */
export type LossState = Record<string, number>;

export interface GanLoss {
  name: string;
  title: string;
  paper: string;
  /** Formulas as a user reads them in docs and `gankit losses`. */
  formulaD: string;
  formulaG: string;
  discriminator: DiscriminatorKind;
  /** The G loss reads D's outputs on real data too (relativistic losses). */
  generatorUsesReal: boolean;
  preset: LossPreset;
  discriminatorLoss(outputs: AdversarialOutputs, hyper: LossHyperparameters, state: LossState): tf.Scalar;
  generatorLoss(outputs: AdversarialOutputs, hyper: LossHyperparameters, state: LossState): tf.Scalar;
  /** Added to the D loss; differentiated w.r.t. D's weights only. */
  penalty?(inputs: PenaltyInputs, hyper: LossHyperparameters): tf.Scalar;
  /** Runs after every D update (WGAN's weight clipping). */
  afterDiscriminatorStep?(discriminatorVariables: tf.Variable[], hyper: LossHyperparameters): void;
  initialState(): LossState;
  /** Next loss state from this step's mean D outputs (BEGAN's k update). */
  nextState(state: LossState, means: { real: number; fake: number }, hyper: LossHyperparameters): LossState;
  /** Scalars worth logging: the Wasserstein estimate, BEGAN's k and M_global. */
  diagnostics(means: { real: number; fake: number }, hyper: LossHyperparameters, state: LossState): Record<string, number>;
}

const adam = (lr: number, beta1: number, beta2: number): OptimizerSettings => ({ name: 'adam', lr, beta1, beta2 });
const rmsprop = (lr: number): OptimizerSettings => ({ name: 'rmsprop', lr, decay: 0.9 });
const noState = (): LossState => ({});
const keepState = (state: LossState): LossState => state;
const noDiagnostics = (): Record<string, number> => ({});
/** For losses without state across steps and without diagnostics of their own. */
const STATELESS = { initialState: noState, nextState: keepState, diagnostics: noDiagnostics };
const criticDiagnostics = (means: { real: number; fake: number }) => ({ wassersteinEstimate: means.real - means.fake });

const NS_FORMULA_D = 'E[softplus(−D(x))] + E[softplus(D(G(z)))]';
const DCGAN_ADAM = adam(2e-4, 0.5, 0.999);

const LOSSES: GanLoss[] = [
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
    discriminatorLoss: (o, h) => lsganDiscriminatorLoss(o.real, o.fake, LSGAN_CODINGS[h.coding ?? '0-1-1']),
    generatorLoss: (o, h) => lsganGeneratorLoss(o.fake, LSGAN_CODINGS[h.coding ?? '0-1-1']),
    ...STATELESS,
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
    afterDiscriminatorStep: (vars, h) => clipWeights(vars, h.clipValue ?? 0.01),
    initialState: noState,
    nextState: keepState,
    diagnostics: criticDiagnostics,
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
    discriminatorLoss: (o) => wassersteinCriticLoss(o.real, o.fake),
    generatorLoss: (o) => wassersteinGeneratorLoss(o.fake),
    penalty: (p, h) => wganGpPenalty(p.critic, p.real, p.fake, { lambda: h.lambda ?? 10, oneSided: h.oneSided, rng: p.rng }),
    initialState: noState,
    nextState: keepState,
    diagnostics: criticDiagnostics,
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
    discriminatorLoss: (o, h) => minimaxDiscriminatorLoss(o.real, o.fake, h),
    generatorLoss: (o) => nonSaturatingGeneratorLoss(o.fake),
    penalty: (p, h) => draganPenalty(p.critic, p.real, { lambda: h.lambda ?? 10, noiseScale: h.noiseScale ?? 0.5, perturbation: h.perturbation, rng: p.rng }),
    ...STATELESS,
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
    discriminatorLoss: (o, _h, s) => beganDiscriminatorLoss(o.real, o.fake, s.k ?? 0),
    generatorLoss: (o) => beganGeneratorLoss(o.fake),
    initialState: () => ({ k: 0 }),
    nextState: (s, m, h) => ({ k: updateK(s.k ?? 0, m.real, m.fake, { gamma: h.gamma ?? 0.5, lambdaK: h.lambdaK ?? 0.001 }) }),
    diagnostics: (m, h, s) => ({ k: s.k ?? 0, convergence: convergenceMeasure(m.real, m.fake, h.gamma ?? 0.5) }),
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
  zeroCentred('r1', 'R1', 'real data', (p, h) => r1Penalty(p.critic, p.real, h.gamma ?? 10)),
  zeroCentred('r2', 'R2', 'generated data', (p, h) => r2Penalty(p.critic, p.fake, h.gamma ?? 10)),
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
  }));
}

function zeroCentred(name: string, label: string, where: string, penalty: NonNullable<GanLoss['penalty']>): GanLoss {
  return {
    name,
    title: `Non-saturating GAN + ${label} penalty`,
    paper: 'Mescheder, Geiger & Nowozin 2018, Which Training Methods for GANs do actually Converge?',
    formulaD: `${NS_FORMULA_D} + (γ/2)E[‖∇D(x)‖²] on ${where}`,
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
    discriminatorLoss: (o, h) => minimaxDiscriminatorLoss(o.real, o.fake, h),
    generatorLoss: (o) => nonSaturatingGeneratorLoss(o.fake),
    penalty,
    ...STATELESS,
  };
}

/** Conditioning and auxiliary objectives that wrap a base loss. */
export interface GanVariant {
  name: 'cgan' | 'acgan' | 'infogan';
  title: string;
  paper: string;
  /** The adversarial loss it uses unless told otherwise. */
  baseLoss: string;
  description: string;
  preset: { optimizerD: OptimizerSettings; optimizerG: OptimizerSettings; nCritic: number; source: string };
  /** InfoGAN only: the latent codes and the weight λ of the mutual-information term. */
  infoCodes?: InfoCodeSpec;
  infoLambda?: number;
  /** cgan only: how D sees the label. */
  conditioning?: 'concat' | 'projection';
}

export const VARIANTS: GanVariant[] = [
  {
    name: 'cgan',
    title: 'Conditional GAN',
    paper: 'Mirza & Osindero 2014, Conditional Generative Adversarial Nets; projection D: Miyato & Koyama 2018',
    baseLoss: 'ns',
    description: 'G gets [z, onehot(y)]; D gets y as concatenated one-hot planes, or by projection ψ(φ(x)) + ⟨embed(y), φ(x)⟩',
    preset: { optimizerD: DCGAN_ADAM, optimizerG: DCGAN_ADAM, nCritic: 1, source: 'Adam 2e-4, β1 0.5 (the paper used SGD, lr 0.1 decayed to 1e-6, momentum 0.5→0.7, and dropout — not replicated)' },
    conditioning: 'concat',
  },
  {
    name: 'acgan',
    title: 'Auxiliary-classifier GAN',
    paper: 'Odena, Olah & Shlens 2017, Conditional Image Synthesis with Auxiliary Classifier GANs',
    baseLoss: 'ns',
    description: 'D has a class head; D minimises CE on real and fake, G minimises CE on fake, plus the adversarial loss',
    preset: { optimizerD: DCGAN_ADAM, optimizerG: DCGAN_ADAM, nCritic: 1, source: 'paper: Adam 2e-4, β1 0.5' },
  },
  {
    name: 'infogan',
    title: 'InfoGAN',
    paper: 'Chen et al. 2016, InfoGAN',
    baseLoss: 'ns',
    description: 'latent z + codes c; Q head on D predicts c; λ·L_I subtracted from both the G and the D/Q loss',
    preset: { optimizerD: adam(2e-4, 0.5, 0.999), optimizerG: adam(1e-3, 0.5, 0.999), nCritic: 1, source: 'paper (MNIST): Adam, lr 2e-4 for D/Q, 1e-3 for G, β1 0.5; λ 1' },
    infoCodes: DEFAULT_INFO_CODES,
    infoLambda: 1,
  },
];

export const LOSS_NAMES = LOSSES.map((l) => l.name);

/** The loss of that name; throws one clear error listing the names otherwise. */
export function getLoss(name: string): GanLoss {
  const loss = LOSSES.find((l) => l.name === name);
  if (!loss) throw new Error(`unknown loss '${name}' (choose one of ${LOSS_NAMES.join(', ')})`);
  return loss;
}

export function listLosses(): readonly GanLoss[] {
  return LOSSES;
}

export function getVariant(name: string): GanVariant {
  const variant = VARIANTS.find((v) => v.name === name);
  if (!variant) throw new Error(`unknown variant '${name}' (choose one of ${VARIANTS.map((v) => v.name).join(', ')})`);
  return variant;
}
