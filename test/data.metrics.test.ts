import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, initEngine } from '../src/index.js';
import { ring8, grid25, pointDataset, csvPoints } from '../src/data/points.js';
import { evaluateModes, COVERED_SHARE } from '../src/metrics/modes.js';
import { exactWasserstein1, optimalAssignment, slicedWasserstein } from '../src/metrics/distance.js';
import { InputError } from '../src/errors.js';

describe('2-D datasets', () => {
  before(() => initEngine());

  it('ring8 has 8 distinct centres on the circle (not linspace(0, 2π, 8))', () => {
    const { centers, std } = ring8().modes!;
    assert.equal(centers.length, 8);
    assert.equal(std, 0.02);
    for (let i = 0; i < 8; i++) {
      assert.ok(Math.abs(Math.hypot(...centers[i]) - 2) < 1e-12);
      for (let j = 0; j < i; j++) assert.ok(Math.hypot(centers[i][0] - centers[j][0], centers[i][1] - centers[j][1]) > 1.5, `centres ${i} and ${j} coincide`);
    }
    assert.deepEqual(ring8({ radius: 1, std: 0.01 }).modes!.std, 0.01);
  });

  it('grid25 is the 5×5 grid at {−4,−2,0,2,4}² with σ 0.05', () => {
    const { centers, std } = grid25().modes!;
    assert.equal(centers.length, 25);
    assert.equal(std, 0.05);
    assert.deepEqual(new Set(centers.map(([x, y]) => `${x},${y}`)).size, 25);
    assert.ok(centers.every(([x, y]) => [-4, -2, 0, 2, 4].includes(x) && [-4, -2, 0, 2, 4].includes(y)));
  });

  it('samples are seeded and come from the mixture: all modes used, spread σ', () => {
    const data = ring8();
    const a = data.sample(new Rng(3), 4000);
    assert.deepEqual(Array.from(a), Array.from(data.sample(new Rng(3), 4000)));
    const report = evaluateModes(a, data.modes!);
    assert.equal(report.modesCovered, 8);
    assert.ok(report.highQualityShare > 0.98, `real data HQ share ${report.highQualityShare}`);
    assert.ok(report.reverseKL! < 0.01);
    for (const name of ['spiral', 'moons']) assert.equal(pointDataset(name).sample(new Rng(1), 10).length, 20);
  });

  it('a CSV of points: header and comments allowed; bad rows and unreadable files name the file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gankit-csv-'));
    const good = join(dir, 'good.csv');
    writeFileSync(good, 'x,y\n# comment\n1,2\n3,4\n\n5,6\n');
    const data = csvPoints(good);
    const s = data.sample(new Rng(1), 50);
    assert.ok(Array.from({ length: 50 }, (_, i) => `${s[2 * i]},${s[2 * i + 1]}`).every((p) => ['1,2', '3,4', '5,6'].includes(p)));
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'x,y\n1,2\n3,oops\n');
    assert.throws(() => csvPoints(bad), (e: Error) => e instanceof InputError && e.message === `${bad}:3: expected two numbers 'x,y', got '3,oops'`);
    assert.throws(() => csvPoints(join(dir, 'missing.csv')), /missing\.csv: cannot read the CSV file \(ENOENT\)/);
    writeFileSync(join(dir, 'one.csv'), '1,2\n');
    assert.throws(() => csvPoints(join(dir, 'one.csv')), /needs at least 2 points/);
    assert.throws(() => pointDataset('rings'), /unknown dataset 'rings'/);
  });
});

describe('mode metrics', () => {
  const modes = { centers: [[0, 0], [10, 0], [0, 10]] as Array<[number, number]>, std: 0.1 };

  it('high quality = within 3σ of the nearest mode; covered = nearest mode of an HQ sample', () => {
    // 2 near mode 0, 1 near mode 1 (0.29 < 0.3), 1 just outside (0.31), 1 far from everything.
    const pts = new Float32Array([0.1, 0, 0, -0.2, 10.29, 0, 0, 10.31, 5, 5]);
    const r = evaluateModes(pts, modes);
    assert.equal(r.modesCovered, 2);
    assert.equal(r.highQualityShare, 3 / 5);
    assert.deepEqual(r.modeCounts, [2, 1, 0]);
    // KL(q‖p), q = (2/3, 1/3, 0), p uniform
    const kl = (2 / 3) * Math.log((2 / 3) * 3) + (1 / 3) * Math.log((1 / 3) * 3);
    assert.ok(Math.abs(r.reverseKL! - kl) < 1e-12);
  });

  it('gated coverage: a mode counts only with at least 20 % of its expected N/K samples; a blob covers many modes ungated', () => {
    // 30 samples, 3 modes: N/K = 10, so a mode needs ≥ 2 HQ samples (20 %).
    const pts: number[] = [];
    for (let i = 0; i < 20; i++) pts.push(0, 0);
    pts.push(10, 0); // one sample in mode 1: covered, not gated-covered
    for (let i = 0; i < 2; i++) pts.push(0, 10);
    for (let i = 0; i < 7; i++) pts.push(5, 5);
    const r = evaluateModes(new Float32Array(pts), modes);
    assert.equal(COVERED_SHARE, 0.2);
    assert.deepEqual([r.modesCovered, r.modesCoveredGated], [3, 2]);
    // A structureless blob over grid25 (the review's measurement): many modes by one sample each, almost none gated.
    const rng = new Rng(4);
    const blob = rng.normalArray(2 * 2500, 0, Math.sqrt(8));
    const g = evaluateModes(blob, grid25().modes!);
    assert.ok(g.modesCovered >= 12 && g.highQualityShare < 0.05, `blob: ${g.modesCovered} modes at HQ ${g.highQualityShare}`);
    assert.equal(g.modesCoveredGated, 0, 'a blob covers no mode at 20 % of its expected samples');
    const perfect = evaluateModes(grid25().sample(new Rng(5), 2500), grid25().modes!);
    assert.equal(perfect.modesCoveredGated, 25);
  });

  it('exact W₁: the optimal assignment equals the brute-force minimum over all permutations', () => {
    const rng = new Rng(11);
    const permutations = (n: number): number[][] => (n === 1 ? [[0]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, k) => [...p.slice(0, k), n - 1, ...p.slice(k)])));
    for (let t = 0; t < 60; t++) {
      const n = 1 + (t % 7);
      // Some cases on an integer lattice, for ties.
      const draw = () => Float64Array.from(rng.uniformArray(2 * n, 0, 3), (v) => (t % 3 === 0 ? Math.round(v) : v));
      const [a, b] = [draw(), draw()];
      let best = Infinity;
      for (const p of permutations(n)) best = Math.min(best, p.reduce((s, j, i) => s + Math.hypot(a[2 * i] - b[2 * j], a[2 * i + 1] - b[2 * j + 1]), 0));
      const r = optimalAssignment(a, b);
      assert.ok(Math.abs(r.cost - best) < 1e-9, `n ${n}: ${r.cost} vs brute force ${best}`);
      assert.equal(new Set(r.assignment).size, n, 'a permutation');
    }
    // A translated cloud: every point moves by the shift, so W₁ is the shift's length.
    const a = ring8().sample(new Rng(1), 300);
    assert.ok(Math.abs(exactWasserstein1(a, a.map((v, i) => (i % 2 ? v + 0.1 : v))) - 0.1) < 1e-6);
    assert.equal(exactWasserstein1(a, a), 0);
    assert.throws(() => exactWasserstein1(a, a.subarray(2)), /equal sample counts/);
  });

  it('all in one mode gives reverse KL log K; no HQ sample gives null', () => {
    assert.ok(Math.abs(evaluateModes(new Float32Array([0, 0, 0.01, 0]), modes).reverseKL! - Math.log(3)) < 1e-12);
    const none = evaluateModes(new Float32Array([5, 5]), modes);
    assert.equal(none.reverseKL, null);
    assert.equal(none.modesCovered, 0);
  });

  it('sliced Wasserstein: 0 for identical clouds, the shift for a translated 1-D-like cloud', () => {
    const a = ring8().sample(new Rng(1), 500);
    assert.equal(slicedWasserstein(a, a), 0);
    const shifted = a.map((v, i) => (i % 2 === 0 ? v + 1 : v));
    // W1 of a shift by (1, 0) projected on θ is |θ_x|; E|θ_x| over random directions is 2/π.
    const sw = slicedWasserstein(a, shifted, 2, 2000);
    assert.ok(Math.abs(sw - 2 / Math.PI) < 0.03, `SW ${sw}`);
  });
});
