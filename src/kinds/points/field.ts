/**
 * What the 2-D pictures show besides the points (GAN Lab's pictures): D's value over the plane and
 * the direction the generator's next update moves each generated sample.
 */
import { tf, Rng } from '../../engine/index.js';
import type { Trainer } from '../../train/trainer.js';

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
