/**
 * The Wasserstein study: the verdict logic on made-up numbers (each verdict can go each way),
 * Spearman's ρ, the runs database (rebuild from folders, a killed worker's run kept as
 * 'incomplete' and updated when finished), and a tiny study end to end.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../src/index.js';
import { verdicts, runWassersteinStudy, lossEstimate, combine, randomConfig } from '../src/study/wasserstein.js';
import type { ArmResult, RunOutcome } from '../src/study/wasserstein.js';
import { spearman, ranks, bootstrap, decide, difference, mean, quantile } from '../src/study/stats.js';
import { Rng } from '../src/engine/rng.js';
import { RunsDb } from '../src/runfolder/database.js';
import { trialResult } from '../src/runner/trial.js';
import type { TrialExecutor } from '../src/sweep/executor.js';
import type { GradientCurve } from '../src/study/gradients.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gankit-study-'));

const grad = (loss: string, g: number, d: number): GradientCurve => ({ loss, xs: [], d: [], dGrad: [], gGrad: [], gGradAtFake: g, dGradAtFake: d, realScore: 0, fakeScore: 0 });
const run = (modes: number, total: number, hq: number, sw: number): RunOutcome => ({ modes, totalModes: total, hq, sw, failed: false });

interface Spec {
  m: number[];
  h: number[];
  w: number[];
  rho?: number[];
  steps?: number[];
  robustSw?: number[];
  ratio?: number[];
  fid?: number[];
}
/** An arm with the same per-seed numbers on both datasets (grid25's modes scaled from ring8's). */
function arm(name: string, role: ArmResult['role'], o: Spec): ArmResult {
  const runs = (total: number) => o.m.map((m, i) => run(Math.round((m * total) / 8), total, o.h[i], o.w[i]));
  const robust = (o.robustSw ?? [0.1, 0.1, 0.1, 0.1]).map((sw) => run(8, 8, 0.5, sw));
  return {
    arm: name,
    loss: name.replace(/-sn$/, ''),
    role,
    runs: { ring8: runs(8), grid25: runs(25) },
    rho: o.rho ?? [0.5, 0.5, 0.5, 0.5],
    stepsToTarget: o.steps ?? [500, 500, 500, 500],
    secondsToTarget: (o.steps ?? [500, 500, 500, 500]).map((s) => s / 100),
    secondsPerStep: 0.01,
    robust: { ring8: robust, grid25: robust },
    gradients: o.ratio?.map((r) => grad(name, r, 1)),
    images: o.fid?.map((fid, i) => ({ seed: i + 1, steps: 3000, concurrent: 1, fid, precision: 0.7 - fid / 1000, recall: 0.7 - fid / 1000, stepsTo: { 40: fid < 40 ? 1000 : Infinity, 30: fid < 30 ? 2000 : Infinity }, secondsTo: { 40: fid < 40 ? 100 : Infinity, 30: fid < 30 ? 200 : Infinity } })),
  };
}

describe('random configurations (compare_gan wide space, 2-D scale)', () => {
  it('draw from the stated ranges; the same index gives the same shared draws', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 200; i++) {
      const { shared, own } = randomConfig(rng);
      const o = shared.optimizerD as { lr: number; beta1: number };
      assert.ok(o.lr >= 1e-5 && o.lr <= 1e-2, `lr ${o.lr}`);
      assert.ok([0, 0.5, 0.9].includes(o.beta1));
      assert.ok(Number.isInteger(shared.nCritic) && (shared.nCritic as number) >= 1 && (shared.nCritic as number) <= 5);
      assert.ok(own.clipValue >= 1e-3 && own.clipValue <= 1, `c ${own.clipValue}`);
      assert.ok(own.lambda >= 1e-3 && own.lambda <= 1, `λ ${own.lambda} (0.1..100 at 2-D scale)`);
    }
    assert.deepEqual(randomConfig(new Rng(9)), randomConfig(new Rng(9)));
  });
});

describe('bootstrap intervals and the decision rule', () => {
  it('percentile bootstrap: brackets the statistic, deterministic, paired resampling shares indices', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const iv = bootstrap([xs], ([x]) => mean(x));
    assert.equal(iv.value, 5.5);
    assert.ok(iv.lo < 5.5 && iv.hi > 5.5 && iv.lo > 3 && iv.hi < 8, `[${iv.lo}, ${iv.hi}]`);
    assert.deepEqual(bootstrap([xs], ([x]) => mean(x)), iv, 'seeded: the same interval every time');
    // Paired: b = a + 1 exactly, so every paired resample's mean difference is 1; unpaired it varies.
    const b = xs.map((x) => x + 1);
    const paired = bootstrap([b, xs], ([p, q]) => mean(p) - mean(q), { paired: true });
    assert.deepEqual([paired.lo, paired.hi], [1, 1]);
    const unpaired = bootstrap([b, xs], ([p, q]) => mean(p) - mean(q));
    assert.ok(unpaired.lo < 0 && unpaired.hi > 2, `unpaired [${unpaired.lo}, ${unpaired.hi}]`);
    assert.throws(() => bootstrap([[1, 2], [1]], () => 0, { paired: true }), /paired groups/);
  });

  it('holds only when the interval excludes the baseline; does not hold only when it excludes the claim', () => {
    assert.equal(decide({ value: 1, lo: 0.2, hi: 2, n: [5, 5] }), 'holds');
    assert.equal(decide({ value: -1, lo: -2, hi: -0.1, n: [5, 5] }), 'does not hold');
    assert.equal(decide({ value: 0, lo: 0, hi: 0, n: [5, 5] }), 'does not hold', 'no difference at all excludes "better"');
    assert.equal(decide({ value: 0.5, lo: -0.1, hi: 1, n: [5, 5] }), 'inconclusive');
    assert.equal(decide({ value: 9, lo: 9, hi: 9, n: [1, 5] }), 'inconclusive', 'one run has no interval');
    assert.equal(decide({ value: 0.7, lo: 0.6, hi: 0.8, n: [5] }, 0.5), 'holds', 'against a threshold');
    assert.equal(decide({ value: 0.001, lo: 0.0005, hi: 0.002, n: [5] }, 0.01, 'below'), 'holds', 'a claim that a value is small');
    assert.equal(decide({ value: 0.5, lo: 0.2, hi: 0.8, n: [5] }, 0.01, 'below'), 'does not hold');
    assert.deepEqual([combine(['holds', 'holds']), combine(['does not hold']), combine(['holds', 'does not hold', 'inconclusive']), combine(['holds', 'inconclusive']), combine([])], ['holds', 'does not hold', 'mixed', 'inconclusive', 'not measured']);
    assert.equal(difference(Infinity, Infinity), 0, 'two runs that never got there do not differ');
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([1, Infinity, Infinity], 0.5), Infinity);
    for (const q of [0.025, 0.3, 0.5, 0.975]) assert.ok(!Number.isNaN(quantile([-Infinity, -Infinity, 1, 2, Infinity], q)), `quantile ${q} across infinities`);
  });
});

describe('wasserstein study', () => {
  before(() => initEngine());
  const seeds4 = (x: number, spread = 0.01) => [x - spread, x, x + spread, x];

  it('verdicts follow the numbers: critics clearly better on every seed → holds', () => {
    const v = verdicts([
      arm('ns', 'standard', { m: [5, 6, 5, 6], h: seeds4(0.3, 0.1), w: seeds4(0.5), rho: [0.1, -0.2, 0, 0.1], steps: [1500, Infinity, 1600, Infinity], robustSw: [0.5, 0.6, 0.4, 0.9], ratio: [1, 1, 1], fid: [80, 82, 81] }),
      arm('minimax', 'standard', { m: [4, 5, 4, 5], h: seeds4(0.2, 0.1), w: seeds4(0.6), rho: [0, 0.1, 0, 0.2], steps: [Infinity, Infinity, Infinity, Infinity], robustSw: [0.6, 0.7, 0.5, 1], ratio: [1e-5, 2e-5, 1e-5], fid: [90, 91, 92] }),
      arm('wgan', 'critic', { m: [8, 8, 8, 8], h: seeds4(0.7), w: seeds4(0.05), rho: [0.9, 0.95, 0.9, 0.92], steps: [400, 500, 450, 420], robustSw: [0.1, 0.12, 0.11, 0.1], ratio: [0.9, 0.8, 0.95], fid: [60, 61, 62] }),
      arm('wgan-gp', 'critic', { m: [8, 8, 8, 8], h: seeds4(0.72), w: seeds4(0.04), rho: [0.92, 0.9, 0.93, 0.91], steps: [300, 400, 350, 320], robustSw: [0.1, 0.11, 0.1, 0.12], ratio: [1, 1, 1], fid: [55, 56, 54] }),
      arm('ns-sn', 'sn', { m: [8, 8, 8, 8], h: seeds4(0.72), w: seeds4(0.04), rho: [0.92, 0.9, 0.93, 0.91], steps: [300, 400, 350, 320], robustSw: [0.1, 0.11, 0.1, 0.12], fid: [55, 56, 54] }),
    ]);
    assert.deepEqual(v.map((c) => c.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const byId = Object.fromEntries(v.map((c) => [c.id, c.verdict]));
    for (const id of [2, 4, 5, 6, 7, 9, 10]) assert.equal(byId[id], 'holds', `claim ${id}: ${v.find((c) => c.id === id)!.reason}`);
    // NS's gradient does not vanish, so the gradient claim is only partly true.
    assert.equal(byId[3], 'mixed');
    // Against an SN arm as good as the critics, nothing is shown either way.
    const sn = Object.fromEntries(v.map((c) => [c.id, c.versusSn]));
    assert.notEqual(sn[6], 'holds', v.find((c) => c.id === 6)!.snReason);
    assert.equal(sn[3], 'not measured', 'SN arms have no gradient experiment');
    assert.match(v.find((c) => c.id === 6)!.numbers, /wgan-gp 8\.00/);
  });

  it('verdicts follow the numbers: critics worse → does not hold; overlapping seeds → inconclusive; no images → not measured', () => {
    const worse = verdicts([
      arm('ns', 'standard', { m: [8, 8, 8, 8], h: seeds4(0.8), w: seeds4(0.05), rho: [0.9, 0.9, 0.9, 0.9], steps: [100, 100, 110, 100], robustSw: [0.1, 0.1, 0.1, 0.1], ratio: [1, 1, 1] }),
      arm('minimax', 'standard', { m: [8, 8, 8, 8], h: seeds4(0.8), w: seeds4(0.05), rho: [0.9, 0.9, 0.9, 0.9], robustSw: [0.1, 0.1, 0.1, 0.1], ratio: [1, 1, 1] }),
      arm('wgan', 'critic', { m: [3, 4, 3, 4], h: seeds4(0.1), w: seeds4(0.3), rho: [0.1, 0.2, 0.1, 0.2], steps: [Infinity, 900, Infinity, 950], robustSw: [0.5, 0.6, 0.7, 0.5], ratio: [1e-4, 1e-4, 2e-4] }),
      arm('wgan-gp', 'critic', { m: [6, 6, 5, 6], h: seeds4(0.2), w: seeds4(0.2), rho: [0.3, 0.4, 0.3, 0.4], steps: [800, 900, 850, 800], robustSw: [0.3, 0.4, 0.3, 0.5], ratio: [1, 1, 1] }),
    ]);
    const byId = Object.fromEntries(worse.map((c) => [c.id, c.verdict]));
    for (const id of [2, 4, 6, 7, 9, 10]) assert.equal(byId[id], 'does not hold', `claim ${id}: ${worse.find((c) => c.id === id)!.reason}`);
    assert.equal(byId[3], 'does not hold', "minimax's gradient does not vanish here");
    assert.equal(byId[5], 'not measured');
    // WGAN's median run never reaches the ring8 target: the −∞ difference says so in words.
    const seven = worse.find((c) => c.id === 7)!.reason;
    assert.match(seven, /wgan vs best of ns\/minimax: ring8 G steps to the target \(lower is better\) −∞ \[[^\]]*\] \(wgan's median run never reaches it\) → does not hold/, seven);
    assert.doesNotMatch(seven, /wgan-gp vs [^;]*never reaches/, seven);
    const close = verdicts([
      arm('ns', 'standard', { m: [6, 8, 5, 8], h: [0.5, 0.6, 0.4, 0.7], w: seeds4(0.1, 0.05) }),
      arm('minimax', 'standard', { m: [5, 8, 6, 7], h: [0.5, 0.6, 0.4, 0.7], w: seeds4(0.1, 0.05) }),
      arm('wgan', 'critic', { m: [8, 6, 7, 8], h: [0.6, 0.5, 0.4, 0.7], w: seeds4(0.1, 0.05) }),
      arm('wgan-gp', 'critic', { m: [7, 8, 6, 8], h: [0.6, 0.4, 0.5, 0.7], w: seeds4(0.1, 0.05) }),
    ]);
    assert.equal(close.find((c) => c.id === 6)!.verdict, 'inconclusive', close.find((c) => c.id === 6)!.reason);
    assert.equal(close.find((c) => c.id === 2)!.verdict, 'does not hold', 'a critic run that lost a mode refutes "prevents"');
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
    const root = tmp();
    const out = join(root, 'study');
    const records = join(root, 'records');
    const settings = { seeds: 1, steps: 20, robustnessConfigs: 2, robustnessSteps: 20, gradientSteps: 20, gradientSeeds: 2, arms: ['ns', 'wgan-gp', 'ns-sn', 'dragan-l10'] };
    const r = await runWassersteinStudy({ quick: true, jobs: 2, out, records, settings });
    assert.equal(r.verdicts.length, 10);
    for (const f of ['report.html', 'report.md', 'results.json', 'gradients.png', 'loss-vs-quality.png', 'runs.sqlite']) assert.ok(existsSync(join(out, f)), f);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /data:image\/png;base64,/);
    assert.ok(!/src="(?!data:)/.test(html), 'self-contained: no external images');
    const db = new RunsDb(join(out, 'runs.sqlite'));
    const rows = db.list({ study: 'wasserstein' });
    assert.equal(rows.length, 4 * 2 + 2 * 3 * 2, 'modes (4 arms × 2 datasets) + robustness (2 configurations × 3 arms, the sweep row not, × 2 datasets)');
    assert.ok(rows.every((row) => row.status === 'finished'));
    // The settings each trial ran with: the 2-D rule's λ, the sweep's paper λ, SN, a random configuration.
    const configs = rows.map((row) => JSON.parse(readFileSync(join(row.path, 'config.json'), 'utf8')));
    const modes = (loss: string, pred: (c: { hyper: { lambda?: number }; model: { sn?: boolean }; logEvery: number }) => boolean) => configs.filter((c) => c.loss === loss && c.logEvery === 50 && pred(c)).length;
    assert.equal(modes('wgan-gp', (c) => c.hyper.lambda === 0.1), 2);
    assert.equal(modes('dragan', (c) => c.hyper.lambda === 10), 2);
    assert.equal(modes('ns', (c) => c.model.sn === true), 2);
    const robust = configs.filter((c) => c.logEvery !== 50);
    assert.equal(new Set(robust.map((c) => c.nCritic)).size >= 1 && robust.some((c) => c.lrSchedule === 'constant'), true, 'random configurations run with a constant lr');
    db.close();
    for (const x of r.results) {
      assert.ok(x.secondsPerStep > 0 && x.secondsPerStep < 5, `${x.arm}: ${x.secondsPerStep} s per step`);
      x.stepsToTarget.forEach((steps, i) => assert.equal(x.secondsToTarget[i], steps * x.secondsPerStep, 'seconds = steps × the timed seconds per step'));
    }
    assert.ok(!existsSync(join(out, 'timing', 'ns')), 'the timing runs leave no folder');
    assert.equal(r.results.find((x) => x.arm === 'ns')!.gradients!.length, 2);
    assert.equal(r.results.find((x) => x.arm === 'ns-sn')!.gradients, undefined);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(md, /DRAGAN: λ at 2-D scale and at paper scale/);
    assert.match(md, /Robustness: what each loss reaches/);
    for (const text of [md, readFileSync(join(out, 'results.json'), 'utf8')]) assert.ok(!new RegExp(`(^|[\\s("'\`])${tmpdir()}/`).test(text), 'no absolute paths in the report');

    // The records carry the study to a fresh folder (another checkout): every trial is restored, none run.
    const files = readdirSync(records);
    assert.equal(files.length, rows.length, 'one record per trial');
    assert.ok(files.every((f) => !readFileSync(join(records, f), 'utf8').includes(root)), 'records hold no absolute paths');
    const ran: string[] = [];
    const nothingRuns: TrialExecutor = {
      where: 'test',
      async run(trials, onEvent) {
        for (const trial of trials) {
          const summary = trialResult(trial.dir);
          if (summary) onEvent({ kind: 'done', trial, summary });
          else ran.push(trial.name);
        }
      },
      close: async () => {},
    };
    // A PyTorch replica's outcomes (bench/torch_toy.py --json) are tabled beside gankit's arms.
    const torch = join(root, 'torch-toy.json');
    writeFileSync(torch, JSON.stringify({ 'ns-sn/ring8': { modes: [3, 5], hq: [0.125, 0.375] } }));
    const again = await runWassersteinStudy({ quick: true, jobs: 2, out: join(root, 'elsewhere'), records, settings, executor: nothingRuns, torch });
    assert.deepEqual(ran, [], 'no trial ran again');
    const againMd = readFileSync(join(root, 'elsewhere', 'report.md'), 'utf8');
    const gankitNsSn = r.results.find((x) => x.arm === 'ns-sn')!.runs.ring8[0];
    const row = againMd.split('\n').find((l) => l.startsWith('| ns-sn | ring8 |'));
    assert.ok(row, 'the replica table has the ns-sn ring8 row');
    // gankit's one seed (no interval), then the replica's mean of 3 and 5, HQ 0.25.
    assert.match(row!, new RegExp(`^\\| ns-sn \\| ring8 \\| ${gankitNsSn.modes.toFixed(2)} \\(one run: no interval\\) \\| 4\\.00 \\[3\\.00, 5\\.00\\] \\| ${gankitNsSn.hq.toFixed(2)} \\(one run: no interval\\) \\| 0\\.25 \\[`), row);
    writeFileSync(torch, JSON.stringify({ 'ns-sn/ring8': { modes: [3, 5], hq: [0.1] } }));
    await assert.rejects(runWassersteinStudy({ quick: true, jobs: 2, out: join(root, 'elsewhere'), records, settings, executor: nothingRuns, torch }), /--torch: .*torch-toy\.json: entry 'ns-sn\/ring8': expected/);
    assert.deepEqual(again.verdicts, r.verdicts, 'the same verdicts from the records');
    assert.deepEqual(again.results.map((x) => x.runs), r.results.map((x) => x.runs));
    const db2 = new RunsDb(join(root, 'elsewhere', 'runs.sqlite'));
    assert.equal(db2.list({ study: 'wasserstein' }).length, rows.length, 'restored folders are indexed with their tag');
    db2.close();
    // A broken record is one error naming the file.
    writeFileSync(join(records, files[0]), '{"format":"other"}\n');
    await assert.rejects(runWassersteinStudy({ quick: true, jobs: 2, out: join(root, 'third'), records, settings, executor: nothingRuns }), new RegExp(`${files[0].replace(/[.]/g, '[.]')}: not a gankit run record`));
  });
});
