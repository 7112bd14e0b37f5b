/**
 * Finite-difference checks shared by the tests.
 *
 * Central differences, f'(x) ≈ (f(x+h) − f(x−h)) / 2h, on functions evaluated in float32 by
 * tfjs: with h = 1e-2 and values of order 1 the rounding error is ~1e-5 and the truncation error
 * h²·f'''/6 ~ 1e-5, so comparisons use |a − b| ≤ atol + rtol·|b| with atol 2e-3, rtol 2e-2
 * unless a test says otherwise. Points are chosen at least 5h away from any kink (leakyRelu at 0,
 * relu6 at 0 and 6, clip bounds), so the difference quotient never straddles one.
 */
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/index.js';

export function centralDifference(f: (x: Float32Array) => number, x: Float32Array, h = 1e-2): Float32Array {
  const grad = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const plus = x.slice();
    plus[i] += h;
    const minus = x.slice();
    minus[i] -= h;
    grad[i] = (f(plus) - f(minus)) / (2 * h);
  }
  return grad;
}

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { atol = 2e-3, rtol = 2e-2, what = 'value' }: { atol?: number; rtol?: number; what?: string } = {},
): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    assert.ok(Number.isFinite(a), `${what}[${i}] is not finite: ${a}`);
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: got ${a}, expected ${e}`);
  }
}

/** Scalar value of a tensor-valued function, disposing everything it made. */
export function scalarOf(f: () => tf.Tensor): number {
  return tf.tidy(() => f().dataSync()[0]);
}

export async function useBackend(name: string): Promise<void> {
  const { initEngine } = await import('../../src/engine/index.js');
  await initEngine({ backend: name, fallback: false });
}

/** Backends the tests run on: GANKIT_TEST_BACKENDS=cpu,wasm (default both). */
export const TEST_BACKENDS = (process.env.GANKIT_TEST_BACKENDS ?? 'wasm,cpu').split(',');
