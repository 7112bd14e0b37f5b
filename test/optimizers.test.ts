/** The optimisers against their update rules computed by hand (PyTorch's definitions), and state round-trips. */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initEngine } from '../src/index.js';
import { Optimizer } from '../src/engine/optimizers.js';
import { assertClose } from './helpers/numeric.js';

const G = [[0.5, -1.0], [0.25, 2.0], [-0.75, 0.1]]; // gradients of three steps for a 2-vector

function run(settings: ConstructorParameters<typeof Optimizer>[0]): Float32Array {
  const v = tf.variable(tf.tensor([1, -1]));
  const opt = new Optimizer(settings, [v]);
  for (const g of G) tf.tidy(() => opt.apply([tf.tensor(g)]));
  const out = v.dataSync() as Float32Array;
  opt.dispose();
  v.dispose();
  return out;
}

describe('optimisers', () => {
  before(() => initEngine());

  it('Adam: bias-corrected moments, ε outside the root', () => {
    const [lr, b1, b2, eps] = [0.1, 0.5, 0.9, 1e-8];
    const theta = [1, -1];
    const m = [0, 0];
    const v = [0, 0];
    G.forEach((g, t) => {
      for (let i = 0; i < 2; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2;
        const mHat = m[i] / (1 - b1 ** (t + 1));
        const vHat = v[i] / (1 - b2 ** (t + 1));
        theta[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
    assertClose(run({ name: 'adam', lr, beta1: b1, beta2: b2 }), theta, { atol: 1e-6, rtol: 1e-6, what: 'adam' });
  });

  it('RMSProp: s ← ρs + (1−ρ)g², θ ← θ − lr·g/(√s + ε)', () => {
    const [lr, rho] = [0.01, 0.9];
    const theta = [1, -1];
    const s = [0, 0];
    for (const g of G) {
      for (let i = 0; i < 2; i++) {
        s[i] = rho * s[i] + (1 - rho) * g[i] ** 2;
        theta[i] -= (lr * g[i]) / (Math.sqrt(s[i]) + 1e-8);
      }
    }
    assertClose(run({ name: 'rmsprop', lr, decay: rho }), theta, { atol: 1e-6, rtol: 1e-6, what: 'rmsprop' });
  });

  it('SGD with momentum: b ← μb + g, θ ← θ − lr·b', () => {
    const [lr, mu] = [0.1, 0.5];
    const theta = [1, -1];
    const b = [0, 0];
    for (const g of G) {
      for (let i = 0; i < 2; i++) {
        b[i] = mu * b[i] + g[i];
        theta[i] -= lr * b[i];
      }
    }
    assertClose(run({ name: 'sgd', lr, momentum: mu }), theta, { atol: 1e-6, rtol: 1e-6, what: 'sgd' });
  });

  it('state round-trips: a restored optimiser continues identically, lr scaling applies', () => {
    const make = () => {
      const v = tf.variable(tf.tensor([0.3, 0.7]));
      return { v, opt: new Optimizer({ name: 'adam', lr: 0.05, beta1: 0.5, beta2: 0.9 }, [v]) };
    };
    const a = make();
    tf.tidy(() => a.opt.apply([tf.tensor([1, -2])]));
    const b = make();
    b.v.assign(a.v);
    b.opt.setState(a.opt.getState());
    assert.equal(b.opt.stepCount, 1);
    tf.tidy(() => a.opt.apply([tf.tensor([0.5, 0.5])], 0.5));
    tf.tidy(() => b.opt.apply([tf.tensor([0.5, 0.5])], 0.5));
    assert.deepEqual(Array.from(b.v.dataSync()), Array.from(a.v.dataSync()));
    assert.throws(() => b.opt.setState({ step: 1, slots: {} }), /no slot 'm'/);
  });
});
