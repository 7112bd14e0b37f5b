/**
 * The training step. The loss plugs in as an `Objective` composed once from the config
 * (src/losses/objective.ts): the adversarial loss with its penalty, D hook, critic schedule and
 * state, plus auxiliary terms read from D's auxiliary head; the trainer knows none by name, nor any
 * kind of data. One generator step:
 *
 *   repeat loss.criticSteps(step) times (default n_critic):
 *     x ~ data, z ~ latent, x̃ = G(z) (held fixed)
 *     L_D = loss.discriminatorLoss(D(x), D(x̃)) + loss.penalty(D, x, x̃) + Σ term.discriminator → update D
 *     loss.afterDiscriminatorStep(D)  (WGAN: clip weights);  state ← loss.nextState (BEGAN: k)
 *   z ~ latent; L_G = loss.generatorLoss(D(x) if the loss reads it, D(G(z))) + Σ term.generator → update G
 *   the EMA of G's weights (sampling.ts); the divergence check (divergence.ts).
 *
 * What the step moves — the networks, optimisers, training stream, loss state and sampler — and
 * what is done with them besides (samples, checksums, checkpoints) are GanNetworks (networks.ts).
 *
 * Every random draw comes from one seeded Rng, checkpointed with the weights, optimiser slots, loss
 * state and step (src/runfolder/trainerState.ts): a resumed run continues exactly as an
 * uninterrupted one. Sampling and evaluation use their own streams. Every step runs inside tf.tidy.
 * A step is a program of reads (program.ts): synchronous on the CPU engine, asynchronous on a device.
 */
import { tf, Rng, oneHotRows } from '../engine/index.js';
import { sumAll } from '../engine/kernels/sums.js';
import { InputError } from '../errors.js';
import { composeObjective } from '../losses/objective.js';
import type { Objective } from '../losses/objective.js';
import type { AuxiliaryInputs, GanLoss } from '../losses/types.js';
import type { DiscriminatorNet, GeneratorNet } from '../models/types.js';
import type { BatchSource } from '../data/source.js';
import type { StepColumns } from '../runfolder/metrics.js';
import { checkSane } from './divergence.js';
import { GanNetworks } from './networks.js';
import { readScalars, runOnDeviceIfAny, runSync, stackScalars, StepProgram } from './program.js';
import { DiscriminatorViews } from './views.js';
import type { RunConfig } from './fields.js';

/** What one generator step measured: the step columns of metrics.jsonl, and the loss's and terms' scalars. */
export interface StepStats extends StepColumns {
  /** Loss-specific scalars (wassersteinEstimate, k, convergence) and the auxiliary terms' (mutualInformation, auxClassLoss). */
  diagnostics: Record<string, number>;
}

/** The networks' initial weights come from a stream of their own, so that changing the architecture does not shift the training draws (and vice versa). */
export const weightInitRng = (seed: number): Rng => new Rng((seed ^ 0x5eed) >>> 0);

/** The step; the networks, optimisers, sampler and checkpoints it moves are GanNetworks (networks.ts). */
export class Trainer extends GanNetworks {
  readonly objective: Objective;
  readonly loss: GanLoss;
  private readonly views: DiscriminatorViews;
  /** ‖θ‖ of G and D at initialisation (the divergence rule's yardstick). */
  readonly initialWeightNorm: number;

  constructor(config: RunConfig, source: BatchSource, nets: { G: GeneratorNet; D: DiscriminatorNet }) {
    const objective = composeObjective(config);
    const classes = config.conditional !== 'none' ? (source.classes ?? 0) : 0;
    if (config.conditional !== 'none' && (classes < 2 || !source.labeledBatch)) {
      throw new InputError(`conditional: '${config.data.name}' has no class labels (a folder needs one sub-folder per class)`);
    }
    const readsHead = objective.auxiliary.length > 0;
    if (readsHead && !nets.D.scoreWithQ) throw new Error(`the discriminator has no auxiliary head for ${objective.auxiliary.map((t) => t.name).join(', ')}`);
    super(config, source, nets, classes, objective.loss.initialState());
    this.objective = objective;
    this.loss = objective.loss;
    this.views = new DiscriminatorViews(this.D, config.conditional === 'concat' || config.conditional === 'projection', readsHead);
    // The networks are at their initial weights here (restore comes later), so a resumed run has the same bound.
    this.initialWeightNorm = tf.tidy(() => globalNorm([...this.G.variables, ...this.D.variables]).dataSync()[0]);
  }

  /** One generator step with its discriminator steps; throws DivergenceError on NaN/Inf. */
  trainStep(): StepStats {
    return runSync(this.stepProgram());
  }

  /** trainStep on the device when there is one (`--backend webgpu`): the same ops, its scalars read asynchronously. */
  trainStepAsync(): Promise<StepStats> {
    return runOnDeviceIfAny(() => this.stepProgram());
  }

  private *stepProgram(): StepProgram<StepStats> {
    const { config, loss } = this;
    const criticSteps = loss.criticSteps?.(this.step, config.nCritic, config.hyper) ?? config.nCritic;
    const lrScale = this.lrScale();
    let d: Record<string, number> = {};
    for (let i = 0; i < criticSteps; i++) d = yield* this.discriminatorStep(lrScale);
    const g = yield* this.generatorStep(lrScale);
    const stats: StepStats = {
      step: this.step,
      criticSteps,
      dLoss: d.dLoss,
      penalty: d.penalty ?? 0,
      gLoss: g.gLoss,
      realScore: d.realScore,
      fakeScore: d.fakeScore,
      gradNormD: d.gradNormD,
      gradNormG: g.gradNormG,
      diagnostics: {
        ...loss.diagnostics({ real: d.realScore, fake: d.fakeScore }, config.hyper, this.lossState),
        ...Object.fromEntries(this.objective.auxiliary.map((t) => [t.name, d[t.name]])),
      },
    };
    checkSane(this.step, { ...stats, weightNorm: g.weightNorm }, this.initialWeightNorm);
    return stats;
  }

  /** The learning-rate factor of this step: 1, or the linear schedule's decay to 0 at config.steps. */
  private lrScale(): number {
    return this.config.lrSchedule === 'linear' ? Math.max(0, 1 - this.step / this.config.steps) : 1;
  }

  /** One D update, then the loss's hook after it and its next state. */
  private *discriminatorStep(lrScale: number): StepProgram<Record<string, number>> {
    this.D.beginStep?.(); // D's own update outside the tape (spectral norm: one power iteration)
    const scalars = tf.tidy(() => {
      const { value, logged, grads } = this.discriminatorObjective();
      this.optD.apply(grads, lrScale);
      const out = stackScalars({ dLoss: value, gradNormD: globalNorm(grads), ...logged });
      tf.dispose(Object.values(logged));
      return out;
    });
    const d: Record<string, number> = yield* readScalars(scalars);
    this.loss.afterDiscriminatorStep?.(this.D.variables, this.config.hyper);
    this.lossState = this.loss.nextState(this.lossState, { real: d.realScore, fake: d.fakeScore }, this.config.hyper);
    return d;
  }

  /**
   * The D objective at the current weights on a fresh real batch and a generated one (drawn from
   * the training stream, as a D step does): its value, the scalars it logs (kept: the caller
   * disposes them) and its gradients in the order of D's variables. Nothing is updated. Call inside
   * tf.tidy. A D step is this and the optimiser's update; tests call it to compare backends.
   */
  discriminatorObjective(): { value: tf.Scalar; logged: Record<string, tf.Scalar>; grads: Array<tf.Tensor | undefined> } {
    const { loss, auxiliary } = this.objective;
    const { hyper, batchSize: n } = this.config;
    const { x: real, y: yReal } = this.realBatch(n);
    const { z, codes, y: yFake } = this.latent(this.rng, n);
    const fake = this.G.generate(z);
    const logged: Record<string, tf.Scalar> = {};
    const log = (name: string, t: tf.Scalar): tf.Scalar => (logged[name] = tf.keep(t)); // kept past variableGrads' scope
    const state = this.lossState;
    const { value, grads } = tf.variableGrads(() => {
      const views = this.views.both(fake, yFake, real, yReal);
      const outputs = { real: views.real.score, fake: views.fake.score };
      log('realScore', tf.mean(outputs.real) as tf.Scalar);
      log('fakeScore', tf.mean(outputs.fake) as tf.Scalar);
      let total = loss.discriminatorLoss(outputs, hyper, state);
      if (loss.penalty) {
        // Conditional critics are penalised at the real batch's labels.
        const penalty = log('penalty', loss.penalty({ critic: (x) => this.views.view(x, yReal).score, real, fake, rng: this.rng }, hyper));
        total = tf.add(total, penalty) as tf.Scalar;
      }
      const inputs: AuxiliaryInputs = { fake: views.fake, real: views.real, yReal, yFake, codes };
      for (const term of auxiliary) {
        const { loss: part, logged: shown } = term.discriminator(inputs);
        log(term.name, shown);
        total = tf.add(total, part) as tf.Scalar;
      }
      return total;
    }, this.D.variables);
    return { value, logged, grads: this.D.variables.map((v) => grads[v.name]) };
  }

  /** One G update, then the EMA of G's weights; the step count moves. */
  private *generatorStep(lrScale: number): StepProgram<{ gLoss: number; gradNormG: number; weightNorm: number }> {
    this.G.beginStep?.();
    const scalars = tf.tidy(() => {
      const { value, grads } = this.generatorObjective();
      this.optG.apply(grads, lrScale);
      return stackScalars({ gLoss: value, gradNormG: globalNorm(grads), weightNorm: globalNorm([...this.G.variables, ...this.D.variables]) });
    });
    const g = yield* readScalars(scalars);
    this.sampler.update(this.step + 1);
    this.step += 1;
    return g;
  }

  /**
   * The G objective at the current weights on a generated batch (and a real one for relativistic
   * losses), drawn from the training stream as a G step does: its value and its gradients in the
   * order of G's variables. Nothing is updated. Call inside tf.tidy.
   */
  generatorObjective(): { value: tf.Scalar; grads: Array<tf.Tensor | undefined> } {
    const { loss, auxiliary } = this.objective;
    const { hyper, batchSize: n } = this.config;
    const { z, codes, y: yFake } = this.latent(this.rng, n);
    const real = loss.generatorUsesReal ? this.realBatch(n) : null;
    const { value, grads } = tf.variableGrads(() => {
      const fake = this.views.view(this.G.generate(z), yFake);
      const realScores = real ? this.views.view(real.x, real.y).score : tf.zerosLike(fake.score);
      let total = loss.generatorLoss({ real: realScores, fake: fake.score }, hyper, this.lossState);
      const inputs: AuxiliaryInputs = { fake, real: null, yReal: null, yFake, codes };
      for (const term of auxiliary) total = tf.add(total, term.generator(inputs)) as tf.Scalar;
      return total;
    }, this.G.variables);
    return { value, grads: this.G.variables.map((v) => grads[v.name]) };
  }

  /** A real batch and, for conditional runs, its one-hot labels. */
  private realBatch(n: number): { x: tf.Tensor; y: tf.Tensor2D | null } {
    if (this.classes === 0) return { x: this.source.batch(this.rng, n), y: null };
    const { x, labels } = this.source.labeledBatch!(this.rng, n);
    return { x, y: oneHotRows(labels, this.classes) };
  }

  /** The playground's "D step" and "G step": one D update alone (the step count stays), one G update alone with its EMA update. */
  async discriminatorOnlyAsync(): Promise<{ dLoss: number; gradNormD: number }> {
    const { dLoss, gradNormD } = await runOnDeviceIfAny(() => this.discriminatorStep(this.lrScale()));
    return { dLoss, gradNormD };
  }
  async generatorOnlyAsync(): Promise<{ gLoss: number; gradNormG: number }> {
    const { gLoss, gradNormG } = await runOnDeviceIfAny(() => this.generatorStep(this.lrScale()));
    return { gLoss, gradNormG };
  }
  discriminatorOnly(): { dLoss: number; gradNormD: number } {
    const { dLoss, gradNormD } = runSync(this.discriminatorStep(this.lrScale()));
    return { dLoss, gradNormD };
  }
  generatorOnly(): { gLoss: number; gradNormG: number } {
    const { gLoss, gradNormG } = runSync(this.generatorStep(this.lrScale()));
    return { gLoss, gradNormG };
  }
}

/** A trainer that owns `nets`: if it cannot be built (no labels for a conditional run, …) they are disposed. */
export function trainerOwning(config: RunConfig, source: BatchSource, nets: { G: GeneratorNet; D: DiscriminatorNet }): Trainer {
  try {
    return new Trainer(config, source, nets);
  } catch (e) {
    nets.G.dispose();
    nets.D.dispose();
    throw e;
  }
}

/** √Σ‖g‖² over the gradients that exist. */
function globalNorm(grads: Array<tf.Tensor | undefined>): tf.Scalar {
  return tf.sqrt(sumAll(grads.filter((g): g is tf.Tensor => Boolean(g)), true)) as tf.Scalar;
}
