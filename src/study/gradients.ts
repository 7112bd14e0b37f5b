/**
 * What gradient the generator gets from a discriminator / critic (WGAN's Fig. 2 question, in 2-D so
 * that a direction can be right or wrong): D is trained alone, G fixed, to tell ring8's eight
 * modes (radius 2, σ 0.02) from a generator collapsed into a blob at the centre, N(0, 0.3²I), and
 * after 10, 100, 1,000 and `steps` D steps (2,000 in the study: the near-optimal critic — the
 * cosines below move by a few hundredths between 1,000 and 2,000 steps) we look at
 * the gradient each generated point gets, g = −∂L_G/∂x (L_G's batch mean undone):
 *  - its size |g| (the study divides it by NS's at the same step and seed: a ratio, not a
 *    "share of D's slope", which is 1 by construction for every G loss linear in D);
 *  - its direction: the cosine between g and the optimal-transport direction (to the real point
 *    the fake point is matched to by an exact assignment between 1,000 fakes and 1,000 reals) and
 *    between g and the direction to the nearest mode. 1: straight to the data; 0: sideways or
 *    nothing (a gradient of exactly 0 counts as 0); −1: away.
 * Each loss uses its registry formulas, penalty and clipping with its 2-D ('toy' profile) settings
 * (penalty weights of the 2-D rule, the paper optimiser type) at lr 1e-3, constant; D is a 3×64
 * ReLU MLP for every loss. The evaluation points are the same for every loss at a seed.
 */
import { tf, Rng, Optimizer } from '../engine/index.js';
import { getLoss } from '../losses/registry.js';
import { Mlp } from '../models/mlp.js';
import { resolveConfig } from '../train/config.js';
import { ring8 } from '../data/points.js';
import { optimalAssignment } from '../metrics/distance.js';

export const GRADIENT_SETUP = { fakeStd: 0.3, batch: 128, lr: 1e-3, points: 1000, checkpoints: [10, 100, 1000], steps: 2000 };

/** The measures at one checkpoint (D steps so far). */
export interface GradientPoint {
  dSteps: number;
  /** Mean |∂L_G/∂x| over the generated points. */
  magnitude: number;
  /** Mean cosine of −∂L_G/∂x with the optimal-transport direction, and with the direction to the nearest mode. */
  cosineOt: number;
  cosineMode: number;
  /** D's loss (without a penalty) on the evaluation points. */
  dLoss: number;
}

export interface GradientCurve {
  loss: string;
  seed: number;
  points: GradientPoint[];
}

/** The evaluation set of a seed: generated points, real points, each fake's OT target and nearest mode. */
export interface GradientProbe {
  fake: Float32Array;
  real: Float32Array;
  /** Unit vectors (2 per point) from each fake to its OT target and to its nearest mode centre. */
  toOt: Float32Array;
  toMode: Float32Array;
}

const unit = (dx: number, dy: number): [number, number] => {
  const r = Math.hypot(dx, dy);
  return r > 0 ? [dx / r, dy / r] : [0, 0];
};

export function gradientProbe(seed: number, n = GRADIENT_SETUP.points): GradientProbe {
  const data = ring8();
  const rng = new Rng(0x9e37 ^ seed);
  const real = data.sample(rng, n);
  const fake = rng.normalArray(2 * n, 0, GRADIENT_SETUP.fakeStd);
  const { assignment } = optimalAssignment(fake, real);
  const toOt = new Float32Array(2 * n);
  const toMode = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [x, y] = [fake[2 * i], fake[2 * i + 1]];
    const j = assignment[i];
    [toOt[2 * i], toOt[2 * i + 1]] = unit(real[2 * j] - x, real[2 * j + 1] - y);
    let best = Infinity;
    let c: [number, number] = [0, 0];
    for (const m of data.modes!.centers) {
      const d = (m[0] - x) ** 2 + (m[1] - y) ** 2;
      if (d < best) [best, c] = [d, m];
    }
    [toMode[2 * i], toMode[2 * i + 1]] = unit(c[0] - x, c[1] - y);
  }
  return { fake, real, toOt, toMode };
}

/** Mean cosine between each row of `g` (2-D vectors) and the unit `directions`; zero vectors count 0. */
export function meanCosine(g: Float32Array, directions: Float32Array): number {
  const n = g.length / 2;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const r = Math.hypot(g[2 * i], g[2 * i + 1]);
    if (r > 0) s += (g[2 * i] * directions[2 * i] + g[2 * i + 1] * directions[2 * i + 1]) / r;
  }
  return n ? s / n : NaN;
}

export function gradientExperiment(loss: string, options: { steps?: number; checkpoints?: number[]; seed?: number; probe?: GradientProbe } = {}): GradientCurve {
  const seed = options.seed ?? 1;
  const spec = getLoss(loss);
  const config = resolveConfig({ loss, data: { name: 'ring8' }, profile: 'toy' });
  const hyper = config.hyper;
  const probe = options.probe ?? gradientProbe(seed);
  const data = ring8();
  const rng = new Rng(seed);
  const D = new Mlp(2, 1, { depth: 3, width: 64, activation: 'relu', layerNorm: false }, new Rng(seed ^ 0x5eed), 'studyD');
  const opt = new Optimizer({ ...config.optimizerD, lr: GRADIENT_SETUP.lr }, D.variables);
  const score = (x: tf.Tensor) => tf.reshape(D.apply(x), [-1]) as tf.Tensor1D;
  let state = spec.initialState();
  const steps = options.steps ?? GRADIENT_SETUP.steps;
  const checkpoints = [...new Set([...(options.checkpoints ?? GRADIENT_SETUP.checkpoints).filter((c) => c < steps), steps])].sort((a, b) => a - b);
  const n = probe.fake.length / 2;
  const measure = (dSteps: number): GradientPoint =>
    tf.tidy(() => {
      const fake = tf.tensor2d(probe.fake, [n, 2]);
      const realScores = score(tf.tensor2d(probe.real, [n, 2]));
      const fakeScores = score(fake);
      const lossD = spec.discriminatorLoss({ real: realScores, fake: fakeScores }, hyper, state).dataSync()[0];
      // −∂L_G/∂x per sample: the batch mean undone (× n).
      const g = tf.mul(tf.grad((p: tf.Tensor) => spec.generatorLoss({ real: realScores, fake: score(p) }, hyper, state))(fake), -n);
      const gv = g.dataSync() as Float32Array;
      let mag = 0;
      for (let i = 0; i < n; i++) mag += Math.hypot(gv[2 * i], gv[2 * i + 1]);
      return { dSteps, magnitude: mag / n, cosineOt: meanCosine(gv, probe.toOt), cosineMode: meanCosine(gv, probe.toMode), dLoss: lossD };
    });
  const points: GradientPoint[] = [];
  for (let i = 1; i <= steps; i++) {
    const means = tf.tidy(() => {
      const real = tf.tensor2d(data.sample(rng, GRADIENT_SETUP.batch), [GRADIENT_SETUP.batch, 2]);
      const fake = tf.tensor2d(rng.normalArray(2 * GRADIENT_SETUP.batch, 0, GRADIENT_SETUP.fakeStd), [GRADIENT_SETUP.batch, 2]);
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
    if (checkpoints.includes(i)) points.push(measure(i));
  }
  D.variables.forEach((v) => v.dispose());
  opt.dispose();
  return { loss, seed, points };
}
