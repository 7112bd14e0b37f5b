/**
 * How a 2-D run is measured and pictured — one implementation for `gankit train` (./task.ts) and
 * the playground page (src/playground/session.ts), so the two agree by construction: the measures
 * at a step (modes covered, high-quality share, reverse KL — VEEGAN/PacGAN protocol — and sliced
 * W₁, on fixed evaluation streams), the square of the plane the pictures cover, the lattice D's
 * field is read on, D's value over the plane and the direction the generator's next update moves
 * each generated sample (GAN Lab's pictures). Needs no Node module, so the page bundles it.
 */
import { tf, Rng } from '../../engine/index.js';
import type { PointDataset } from '../../data/points.js';
import { evaluateModes } from '../../metrics/modes.js';
import type { ModeReport } from '../../metrics/modes.js';
import { slicedWasserstein } from '../../metrics/distance.js';
import type { Trainer } from '../../train/trainer.js';
import { evaluationRng } from '../task.js';

/** A square of data space: what a picture covers. */
export interface View {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** n generated and n real points from fixed evaluation streams, with the mode report where the data has modes. */
export function evaluatePoints(trainer: Trainer, data: PointDataset, n: number, step: number): { modes: ModeReport | null; sw: number; fake: Float32Array; real: Float32Array } {
  const fake = trainer.sample(n, evaluationRng(step, 1));
  const real = data.sample(evaluationRng(step, 2), n);
  return { modes: data.modes ? evaluateModes(fake, data.modes) : null, sw: slicedWasserstein(fake, real), fake, real };
}

/** The square the pictures cover: the modes' centres (else the real points) with a quarter of their span as margin. */
export function dataExtent(data: PointDataset, real: Float32Array): View {
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  const points = data.modes ? data.modes.centers.flat() : Array.from(real);
  for (let i = 0; i < points.length; i += 2) {
    xMin = Math.min(xMin, points[i]);
    xMax = Math.max(xMax, points[i]);
    yMin = Math.min(yMin, points[i + 1]);
    yMax = Math.max(yMax, points[i + 1]);
  }
  const m = 0.25 * Math.max(xMax - xMin, yMax - yMin, 1);
  const cx = (xMin + xMax) / 2;
  const cy = (yMin + yMax) / 2;
  const half = Math.max(xMax - xMin, yMax - yMin) / 2 + m;
  return { xMin: cx - half, xMax: cx + half, yMin: cy - half, yMax: cy + half };
}

/**
 * The centres of a res × res lattice over the view as [x0, y0, x1, y1, …], row by row: from the
 * bottom (y = yMin first, as an SVG plot fills its field upward) or from the top (as a canvas's
 * pixel rows run).
 */
export function fieldLattice(view: View, res: number, rows: 'bottom-up' | 'top-down'): Float32Array {
  const lattice = new Float32Array(2 * res * res);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      lattice[2 * (r * res + c)] = view.xMin + ((c + 0.5) / res) * (view.xMax - view.xMin);
      lattice[2 * (r * res + c) + 1] = rows === 'bottom-up' ? view.yMin + ((r + 0.5) / res) * (view.yMax - view.yMin) : view.yMax - ((r + 0.5) / res) * (view.yMax - view.yMin);
    }
  }
  return lattice;
}

/** D's score at the given points: σ(D) for logit discriminators, the raw score otherwise. */
export function discriminatorField(trainer: Trainer, points: Float32Array, dim = 2): Float32Array {
  return tf.tidy(() => {
    const scores = trainer.D.score(tf.tensor2d(points, [points.length / dim, dim]));
    return (trainer.loss.discriminator === 'logit' ? tf.sigmoid(scores) : scores).dataSync() as Float32Array;
  });
}

/**
 * −∂L_G/∂x̃ at the given generated points: the direction the generator's update moves each
 * sample (GAN Lab's arrows). Uses a fresh real batch from `rng` for relativistic losses.
 */
export function generatorPush(trainer: Trainer, points: Float32Array, rng: Rng, dim = 2): Float32Array {
  const { loss } = trainer;
  return tf.tidy(() => {
    const n = points.length / dim;
    const real = loss.generatorUsesReal ? trainer.D.score(trainer.source.batch(rng, n)) : null;
    const grad = tf.grad((x: tf.Tensor) => {
      const fake = trainer.D.score(x);
      return loss.generatorLoss({ real: real ?? tf.zerosLike(fake), fake }, trainer.config.hyper, trainer.state);
    })(tf.tensor2d(points, [n, dim]));
    return tf.neg(grad).dataSync() as Float32Array;
  });
}
