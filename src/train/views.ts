/**
 * What D sees of a batch: its score per sample and, when an auxiliary term reads it, its auxiliary
 * head's outputs; the labels too when D is conditioned on them (concat / projection). One pass over
 * the generated and the real batch together when D scores samples independently (the same values,
 * half the kernels), two otherwise (batch norm).
 */
import { tf } from '../engine/index.js';
import type { DiscriminatorView } from '../losses/types.js';
import type { DiscriminatorNet } from '../models/types.js';

export class DiscriminatorViews {
  constructor(
    private readonly D: DiscriminatorNet,
    /** D sees the labels (concat / projection conditioning). */
    private readonly takesLabels: boolean,
    /** Some term reads D's auxiliary head. */
    private readonly readsHead: boolean,
  ) {}

  /** D's view of one batch (`y`: its one-hot labels, or null). */
  view(x: tf.Tensor, y: tf.Tensor2D | null): DiscriminatorView {
    const labels = this.takesLabels ? (y ?? undefined) : undefined;
    if (this.readsHead) {
      const { score, q } = this.D.scoreWithQ!(x, labels);
      return { score, head: q };
    }
    return { score: this.D.score(x, labels), head: null };
  }

  /** D's views of the generated and the real batch. */
  both(fake: tf.Tensor, yFake: tf.Tensor2D | null, real: tf.Tensor, yReal: tf.Tensor2D | null): { fake: DiscriminatorView; real: DiscriminatorView } {
    if (!this.D.rowsIndependent || (yFake === null) !== (yReal === null)) return { fake: this.view(fake, yFake), real: this.view(real, yReal) };
    const nf = fake.shape[0];
    const nr = real.shape[0];
    const both = this.view(tf.concat([fake, real]), yFake && yReal ? (tf.concat([yFake, yReal]) as tf.Tensor2D) : null);
    const rows = <T extends tf.Tensor>(t: T, start: number, n: number) => tf.slice(t, start, n) as T;
    const part = (start: number, n: number) => ({ score: rows(both.score, start, n), head: both.head ? rows(both.head, start, n) : null });
    return { fake: part(0, nf), real: part(nf, nr) };
  }
}
