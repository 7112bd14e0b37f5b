/**
 * binary16 for the shipped weights: known bit patterns, every half value round-trips, and for
 * random float32 values the chosen half is the nearest one (ties to the even mantissa), checked
 * against the two neighbouring halves by brute force.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromHalf, fromHalfBits, toHalf, toHalfBits } from '../src/runfolder/float16.js';
import { decodeCheckpoint, encodeCheckpoint } from '../src/runfolder/checkpoint.js';
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

describe('checkpoint format 3 (float16 arrays)', () => {
  const arrays = () => ({ 'G/0': Float32Array.from([0.1, -2, 3.14159, 1e-3, 0]), 'G/1': Float32Array.from([1, 2, 3]), 'Gstate/0': Float32Array.from([0.123456789, 7]) });

  it('stores the half arrays as binary16 and the rest as float32, and reads both back as float32', () => {
    const a = arrays();
    const buf = encodeCheckpoint({ step: 7 }, a, { half: (n) => n.startsWith('G/') });
    const file = decodeCheckpoint<{ step: number }>(buf);
    assert.equal(file.header.step, 7);
    assert.ok(file.verified);
    assert.deepEqual([...file.arrays['G/0']], [...fromHalf(toHalf(a['G/0']))]);
    assert.deepEqual([...file.arrays['G/1']], [1, 2, 3]);
    // Not half: float32 bits unchanged (0.123456789 is not a half).
    assert.equal(file.arrays['Gstate/0'][0], Math.fround(0.123456789));
    // 5 halves pad to 12 bytes, 3 halves to 8, then 2 float32: 28 bytes of data against 40 in float32.
    const full = encodeCheckpoint({ step: 7 }, a);
    assert.equal(full.length - buf.length - (full.readUInt32LE(8) - buf.readUInt32LE(8)), 40 - 28);
  });

  it('without half arrays the bytes are format 2, exactly as before', () => {
    const a = arrays();
    assert.ok(encodeCheckpoint({ step: 1 }, a, { half: () => false }).equals(encodeCheckpoint({ step: 1 }, a)));
    assert.match(encodeCheckpoint({ step: 1 }, a).toString('utf8', 12, 40), /"format":2/);
  });

  it('refuses a value beyond float16 range, and a flipped bit in the half data', () => {
    assert.throws(() => encodeCheckpoint({}, { w: Float32Array.from([1, 70000]) }, { half: () => true }), /w holds 70000, beyond float16/);
    const buf = encodeCheckpoint({ step: 1 }, arrays(), { half: () => true });
    buf[buf.length - 40] ^= 1;
    assert.throws(() => decodeCheckpoint(buf, 'x.bin'), /x.bin: damaged checkpoint/);
    assert.throws(() => decodeCheckpoint(buf.subarray(0, buf.length - 2), 'x.bin'), /x.bin: truncated checkpoint/);
  });
});
