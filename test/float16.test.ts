/**
 * binary16 for the shipped weights: known bit patterns, every half value round-trips, and for
 * random float32 values the chosen half is the nearest one (ties to the even mantissa), checked
 * against the two neighbouring halves by brute force.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromHalf, fromHalfBits, toHalf, toHalfBits } from '../src/pretrained/float16.js';
import { Rng } from '../src/engine/rng.js';

describe('float16', () => {
  it('known values: 1, −2, 0.1, the largest and smallest halves, overflow, ties to even, NaN', () => {
    const cases: Array<[number, number]> = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65519.99, 0x7bff],
      [65520, 0x7c00], // the tie between 65504 and 65536 rounds to even: Inf
      [2 ** -24, 0x0001],
      [2 ** -25, 0x0000], // a tie with 0 rounds to even: 0
      [2 ** -25 * 1.01, 0x0001],
      [2 ** -14, 0x0400], // smallest normal
      [1 + 2 ** -11, 0x3c00], // tie: mantissa 0 is even
      [1 + 3 * 2 ** -11, 0x3c02], // tie: up to the even mantissa 2
      [-0, 0x8000],
      [Infinity, 0x7c00],
    ];
    for (const [v, bits] of cases) assert.equal(toHalfBits(v), bits, `${v}: 0x${toHalfBits(v).toString(16)} vs 0x${bits.toString(16)}`);
    assert.ok(Number.isNaN(fromHalfBits(toHalfBits(NaN))));
  });

  it('every finite half value round-trips through float32 exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue; // Inf and NaN
      assert.equal(toHalfBits(fromHalfBits(h)), h, `0x${h.toString(16)}`);
    }
  });

  it('random float32 weights round to the nearest half, relative error ≤ 2⁻¹¹', () => {
    const rng = new Rng(5);
    const values = Float32Array.from(rng.normalArray(20000), (v, i) => v * 10 ** ((i % 9) - 6));
    const back = fromHalf(toHalf(values));
    values.forEach((v, i) => {
      const h = toHalfBits(v);
      const err = Math.abs(back[i] - v);
      // Neither neighbour of the chosen half is closer.
      for (const n of [h - 1, h + 1]) if ((n & 0x7fff) < 0x7c00 && n >= 0 && ((n ^ h) & 0x8000) === 0) assert.ok(Math.abs(fromHalfBits(n) - v) >= err, `${v}: 0x${h.toString(16)} is not the nearest`);
      if (Math.abs(v) >= 2 ** -14) assert.ok(err <= Math.abs(v) * 2 ** -11, `${v}: relative error ${err / Math.abs(v)}`);
    });
  });
});
