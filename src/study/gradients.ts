/**
 * The WGAN paper's Fig. 2 experiment: train a discriminator / critic (alone, G fixed) towards
 * optimality on two well-separated 1-D Gaussians — real N(−2, 0.3²), generated N(+2, 0.3²) — then
 * look at D over the line and at the gradient the generator would get, ∂L_G/∂x at the generated
 * samples. A saturating (minimax) GAN's generator gradient vanishes there; the claim is that the
 * critic's does not.
 *
 * Each loss uses its registry formulas, penalty and weight clipping, with its 2-D ('toy' profile)
 * settings — the penalty weights of the 2-D rule, the paper optimiser type — at lr 1e-3 so that
 * 2,000 steps suffice at this scale; D is a 3×64 ReLU MLP for every loss.
 */
import { tf, Rng, Optimizer } from '../engine/index.js';
import { getLoss } from '../losses/registry.js';
import { Mlp } from '../models/mlp.js';
import { resolveConfig } from '../train/config.js';

export interface GradientCurve {
  loss: string;
  xs: number[];
  /** D(x) as a probability for logit discriminators, the raw score otherwise. */
  d: number[];
  /** |∂D/∂x| over the line. */
  dGrad: number[];
  /** |∂L_G/∂x| per sample (L_G's batch mean undone) over the line. */
  gGrad: number[];
  /** Mean |∂L_G/∂x| at generated samples, and at real samples (for scale). */
  gGradAtFake: number;
  /** Mean |∂D/∂x| at generated samples. */
  dGradAtFake: number;
  /** Mean D output on real and generated samples after training. */
  realScore: number;
  fakeScore: number;
}

export const GRADIENT_SETUP = { real: -2, fake: 2, std: 0.3, steps: 2000, batch: 128, lr: 1e-3 };

export function gradientExperiment(loss: string, options: { steps?: number; seed?: number } = {}): GradientCurve {
  const spec = getLoss(loss);
  const config = resolveConfig({ loss, profile: 'toy' });
  const hyper = config.hyper;
  const rng = new Rng(options.seed ?? 1);
  const D = new Mlp(1, 1, { depth: 3, width: 64, activation: 'relu', layerNorm: false }, new Rng((options.seed ?? 1) ^ 0x5eed), 'studyD');
  const opt = new Optimizer({ ...config.optimizerD, lr: GRADIENT_SETUP.lr }, D.variables);
  const score = (x: tf.Tensor) => tf.reshape(D.apply(x), [-1]) as tf.Tensor1D;
  const draw = (center: number, n: number) => tf.add(tf.mul(rng.normal([n, 1]), GRADIENT_SETUP.std), center);
  let state = spec.initialState();
  const steps = options.steps ?? GRADIENT_SETUP.steps;
  for (let i = 0; i < steps; i++) {
    const means = tf.tidy(() => {
      const real = draw(GRADIENT_SETUP.real, GRADIENT_SETUP.batch);
      const fake = draw(GRADIENT_SETUP.fake, GRADIENT_SETUP.batch);
      let r = tf.scalar(0);
      let f = tf.scalar(0);
      const { grads } = tf.variableGrads(() => {
        const outputs = { real: score(real), fake: score(fake) };
        r = tf.keep(tf.mean(outputs.real));
        f = tf.keep(tf.mean(outputs.fake));
        let total = spec.discriminatorLoss(outputs, hyper, state);
        if (spec.penalty) total = tf.add(total, spec.penalty({ critic: score, real, fake, rng }, hyper)) as tf.Scalar;
        return total;
      }, D.variables);
      opt.apply(D.variables.map((v) => grads[v.name]));
      const out = { real: r.dataSync()[0], fake: f.dataSync()[0] };
      tf.dispose([r, f]);
      return out;
    });
    spec.afterDiscriminatorStep?.(D.variables, hyper);
    state = spec.nextState(state, means, hyper);
  }
  const result = tf.tidy(() => {
    const xs = Array.from({ length: 161 }, (_, i) => -4 + (8 * i) / 160);
    const grid = tf.tensor2d(xs, [xs.length, 1]);
    const realRef = draw(GRADIENT_SETUP.real, xs.length);
    const realScores = score(realRef);
    const dGrad = tf.abs(tf.grad((x: tf.Tensor) => tf.sum(score(x)))(grid));
    const gGradOf = (x: tf.Tensor, n: number) =>
      tf.mul(tf.abs(tf.grad((p: tf.Tensor) => spec.generatorLoss({ real: tf.slice(realScores, 0, n), fake: score(p) }, hyper, state))(x)), n);
    const gGrad = gGradOf(grid, xs.length);
    const fake = draw(GRADIENT_SETUP.fake, 512);
    const real = draw(GRADIENT_SETUP.real, 512);
    const d = spec.discriminator === 'logit' ? tf.sigmoid(score(grid)) : score(grid);
    return {
      xs,
      d: Array.from(d.dataSync()),
      dGrad: Array.from(dGrad.dataSync()),
      gGrad: Array.from(gGrad.dataSync()),
      gGradAtFake: tf.mean(gGradOf(fake, 512)).dataSync()[0],
      dGradAtFake: tf.mean(tf.abs(tf.grad((x: tf.Tensor) => tf.sum(score(x)))(fake))).dataSync()[0],
      realScore: tf.mean(score(real)).dataSync()[0],
      fakeScore: tf.mean(score(fake)).dataSync()[0],
    };
  });
  D.variables.forEach((v) => v.dispose());
  opt.dispose();
  return { loss, ...result };
}
