/**
 * The Wasserstein study: the verdict logic on made-up numbers (each verdict can go each way),
 * Spearman's ρ, the runs database (rebuild from folders, a killed worker's run kept as
 * 'incomplete' and updated when finished), and a tiny study end to end.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../src/index.js';
import { verdicts, LossResult, runWassersteinStudy, lossEstimate } from '../src/study/wasserstein.js';
import { spearman, ranks } from '../src/study/stats.js';
import { RunsDb } from '../src/runfolder/database.js';
import type { GradientCurve } from '../src/study/gradients.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gankit-study-'));

const grad = (loss: string, g: number, d: number): GradientCurve => ({ loss, xs: [], d: [], dGrad: [], gGrad: [], gGradAtFake: g, dGradAtFake: d, realScore: 0, fakeScore: 0 });

function result(loss: string, o: Partial<LossResult> & { m?: number[]; h?: number[]; w?: number[] }): LossResult {
  const m = o.m ?? [8, 8];
  return {
    loss,
    modes: { ring8: m, grid25: m.map((x) => Math.round((x * 25) / 8)) },
    totalModes: { ring8: 8, grid25: 25 },
    hq: { ring8: o.h ?? [0.5, 0.5], grid25: o.h ?? [0.5, 0.5] },
    sw: { ring8: o.w ?? [0.1, 0.1], grid25: o.w ?? [0.1, 0.1] },
    rho: o.rho ?? [0.9, 0.8],
    diverged: o.diverged ?? 0,
    collapsed: o.collapsed ?? 0,
    stepsToTarget: o.stepsToTarget ?? [500, 600],
    secondsToTarget: o.secondsToTarget ?? [5, 6],
    robustSuccess: o.robustSuccess ?? 2,
    robustTotal: 4,
    gradient: o.gradient,
    fid: o.fid,
  };
}

describe('wasserstein study', () => {
  before(() => initEngine());

  it('verdicts follow the numbers: critics clearly better → holds', () => {
    const v = verdicts([
      result('ns', { m: [5, 6], h: [0.3, 0.6], w: [0.5, 0.4], rho: [0.1, -0.2], collapsed: 0.25, stepsToTarget: [null, 1500], secondsToTarget: [null, 9], robustSuccess: 1, gradient: grad('ns', 1, 1), fid: 80 }),
      result('minimax', { m: [4, 5], h: [0.2, 0.5], w: [0.6, 0.5], rho: [0.0, 0.2], collapsed: 0.5, stepsToTarget: [null, null], secondsToTarget: [null, null], robustSuccess: 0, gradient: grad('minimax', 1e-5, 2), fid: 90 }),
      result('wgan', { m: [8, 8], h: [0.7, 0.7], w: [0.05, 0.06], rho: [0.9, 0.95], stepsToTarget: [400, 500], secondsToTarget: [3, 4], robustSuccess: 3, gradient: grad('wgan', 0.8, 0.9), fid: 60 }),
      result('wgan-gp', { m: [8, 8], h: [0.72, 0.72], w: [0.04, 0.05], rho: [0.92, 0.9], stepsToTarget: [300, 400], secondsToTarget: [2, 3], robustSuccess: 4, gradient: grad('wgan-gp', 1, 1), fid: 55 }),
    ]);
    assert.deepEqual(v.map((c) => c.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const byId = Object.fromEntries(v.map((c) => [c.id, c.verdict]));
    assert.equal(byId[2], 'holds');
    assert.equal(byId[4], 'holds');
    assert.equal(byId[5], 'holds');
    assert.equal(byId[6], 'holds');
    assert.equal(byId[7], 'holds');
    assert.equal(byId[9], 'holds');
    assert.equal(byId[10], 'holds');
    // NS's gradient does not vanish, so the gradient claim is only partly true.
    assert.equal(byId[3], 'mixed');
  });

  it('verdicts follow the numbers: critics no better → does not hold; no image numbers → not measured', () => {
    const v = verdicts([
      result('ns', { m: [8, 8], h: [0.8, 0.8], w: [0.05, 0.05], rho: [0.9, 0.9], robustSuccess: 4, stepsToTarget: [100, 100], secondsToTarget: [1, 1], gradient: grad('ns', 1, 1) }),
      result('minimax', { m: [8, 8], h: [0.8, 0.8], w: [0.05, 0.05], rho: [0.9, 0.9], robustSuccess: 4, gradient: grad('minimax', 1, 1) }),
      result('wgan', { m: [3, 8], h: [0.1, 0.5], w: [0.3, 0.2], rho: [0.1, 0.2], diverged: 0.5, robustSuccess: 0, stepsToTarget: [null, 900], secondsToTarget: [null, 20], gradient: grad('wgan', 1e-4, 1e-4) }),
      result('wgan-gp', { m: [6, 8], h: [0.2, 0.6], w: [0.2, 0.1], rho: [0.3, 0.4], collapsed: 0.25, robustSuccess: 1, stepsToTarget: [800, 900], secondsToTarget: [10, 12], gradient: grad('wgan-gp', 1, 1) }),
    ]);
    const byId = Object.fromEntries(v.map((c) => [c.id, c.verdict]));
    for (const id of [2, 4, 6, 7, 8, 9, 10]) assert.equal(byId[id], 'does not hold', `claim ${id}: ${JSON.stringify(v.find((c) => c.id === id))}`);
    assert.equal(byId[3], 'does not hold', "minimax's gradient does not vanish here");
    assert.equal(byId[5], 'not measured');
  });

  it("Spearman's ρ: ±1 for monotone series, ties by average rank, NaN when undefined", () => {
    assert.equal(spearman([1, 2, 3, 4], [10, 20, 25, 100]), 1);
    assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
    assert.deepEqual(ranks([3, 1, 3, 2]), [3.5, 1, 3.5, 2]);
    assert.ok(Number.isNaN(spearman([1, 2], [1, 2])));
    assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
    assert.equal(lossEstimate({ step: 1, elapsed: 0, dLoss: -1.5, penalty: 0.5 }), 2, '−L_D without the penalty');
    assert.equal(lossEstimate({ step: 1, elapsed: 0, dLoss: 9, penalty: 0, wassersteinEstimate: 0.7 }), 0.7);
  });

  it('runs database: rebuild from folders; a killed run is kept as incomplete and updated when it finishes', () => {
    const root = tmp();
    const mk = (name: string, summary: unknown | null) => {
      const d = join(root, 'group', name);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'config.json'), JSON.stringify({ loss: 'ns', data: { name: 'ring8' }, seed: 1, steps: 10 }));
      if (summary) writeFileSync(join(d, 'summary.json'), JSON.stringify(summary));
      return d;
    };
    const a = mk('a', { status: 'finished', elapsed: 1.5, final: { modesCovered: 7 } });
    const killed = mk('killed', null);
    mkdirSync(join(root, 'not-a-run'));
    const file = join(root, 'runs.sqlite');
    const db = new RunsDb(file);
    assert.equal(db.rebuild([root]).indexed, 2);
    assert.equal(db.get(a)!.final!.modesCovered, 7);
    assert.equal(db.get(killed)!.status, 'incomplete');
    writeFileSync(join(killed, 'summary.json'), JSON.stringify({ status: 'finished', elapsed: 2, final: { modesCovered: 8 } }));
    db.index(killed);
    assert.equal(db.get(killed)!.status, 'finished');
    assert.equal(db.list({ status: 'finished' }).length, 2);
    db.close();
    // The database itself is disposable: deleted and rebuilt, nothing is lost.
    rmSync(file);
    const again = new RunsDb(file);
    assert.equal(again.rebuild([root]).indexed, 2);
    assert.equal(again.list().length, 2);
    assert.equal(again.list({ loss: 'wgan' }).length, 0);
    again.close();
  });

  it('a tiny study end to end: run folders, the database, report.html and report.md with ten verdicts', async () => {
    const out = join(tmp(), 'study');
    const r = await runWassersteinStudy({
      quick: true,
      jobs: 2,
      out,
      settings: { seeds: 1, steps: 20, robustnessConfigs: 1, robustnessSteps: 20, gradientSteps: 20, losses: ['ns', 'minimax', 'wgan-gp'] },
    });
    assert.equal(r.verdicts.length, 10);
    for (const f of ['report.html', 'report.md', 'results.json', 'gradients.png', 'loss-vs-quality.png', 'runs.sqlite']) assert.ok(existsSync(join(out, f)), f);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /data:image\/png;base64,/);
    assert.ok(!/src="(?!data:)/.test(html), 'self-contained: no external images');
    const db = new RunsDb(join(out, 'runs.sqlite'));
    const rows = db.list({ study: 'wasserstein' });
    assert.equal(rows.length, 3 * 2 + 3, 'modes (3 losses × 2 datasets) + robustness (3)');
    assert.ok(rows.every((row) => row.status === 'finished'));
    db.close();
  });
});
