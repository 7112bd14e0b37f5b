/**
 * Extending gankit from outside its sources, as a user's code would (only the package index is
 * imported): a loss with a hyper-parameter of its own is registered, then configured, validated,
 * trained 20 steps into a run folder and resumed through the normal config path; its diagnostic is
 * charted in metrics.png and, through the page's own modules (its worker's session and its charts),
 * in the page.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initEngine, registerLoss, getLoss, resolveConfig, startRun, resumeRun, RunFolder, ConfigError, positiveNumber, lossesMarkdown, metricsSvg, metricColumn, metricColumns } from '../src/index.js';
import { PlaygroundSession } from '../src/playground/session.js';
import { pageCharts, readoutText } from '../src/playground/charts.js';

/** Hinge loss with margin m: D: E[relu(m − D(x))] + E[relu(m + D(G(z)))]; G: −E[D(G(z))]. m = 1 is the usual hinge. */
const marginHinge = registerLoss({
  name: 'hinge-margin',
  title: 'Hinge loss with a margin',
  paper: 'Lim & Ye 2017 (margin 1), generalised',
  formulaD: 'E[relu(m − D(x))] + E[relu(m + D(G(z)))]',
  formulaG: '−E[D(G(z))]',
  discriminator: 'critic',
  generatorUsesReal: false,
  preset: { optimizerD: { name: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999 }, optimizerG: { name: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999 }, nCritic: 1, hyper: { margin: 2 } as never, source: 'a test' },
  hyperparameters: { margin: { type: positiveNumber, doc: 'the hinge margin m' } },
  discriminatorLoss: (o, h) => {
    const m = (h as { margin: number }).margin;
    return tf.tidy(() => tf.add(tf.mean(tf.relu(tf.sub(m, o.real))), tf.mean(tf.relu(tf.add(m, o.fake)))) as tf.Scalar);
  },
  generatorLoss: (o) => tf.neg(tf.mean(o.fake)) as tf.Scalar,
  initialState: () => ({}),
  nextState: (s) => s,
  // E[D(x)] − E[D(G(z))] in margins: how far D's hinge is from its target gap of 2m.
  diagnostics: (m, h) => ({ marginGap: (m.real - m.fake) / (h as { margin: number }).margin }),
  columns: [{ name: 'marginGap', label: 'E[D(x)] − E[D(G(z))] in margins m', unit: 'margins', panel: 'hinge margin gap', progress: { label: 'gap', digits: 2 } }],
});

const small = (extra: Record<string, unknown> = {}) =>
  resolveConfig({
    loss: 'hinge-margin',
    steps: 20,
    batchSize: 32,
    logEvery: 5,
    plotEvery: 10,
    checkpointEvery: 5,
    evalSamples: 200,
    model: { noiseDim: 2, generator: { depth: 2, width: 16, activation: 'relu', layerNorm: false }, discriminator: { depth: 2, width: 16, activation: 'relu', layerNorm: false } },
    ...extra,
  });

describe('a loss registered from outside gankit', () => {
  before(() => initEngine());

  it('is a registry entry: its hyper-parameter comes from its preset when left out', () => {
    assert.equal(getLoss('hinge-margin'), marginHinge);
    const real = tf.tensor([0.5, 3]);
    const fake = tf.tensor([-3, 0.5]);
    // m = 2 (the preset's): (relu(1.5) + relu(−1))/2 + (relu(−1) + relu(2.5))/2 = 0.75 + 1.25
    assert.ok(Math.abs(marginHinge.discriminatorLoss({ real, fake }, {}, {}).dataSync()[0] - 2) < 1e-6);
    // m = 1: (relu(0.5) + relu(−2))/2 + (relu(−2) + relu(1.5))/2 = 0.25 + 0.75
    assert.ok(Math.abs(marginHinge.discriminatorLoss({ real, fake }, { margin: 1 } as never, {}).dataSync()[0] - 1) < 1e-6);
    tf.dispose([real, fake]);
    assert.match(lossesMarkdown(), /^\| `hinge-margin` \|/m, 'docs are generated from the registry');
  });

  it('configs take it and validate its hyper-parameter by its own row', () => {
    assert.equal((small().hyper as Record<string, unknown>).margin, 2);
    assert.equal((small({ hyper: { margin: 0.5 } }).hyper as Record<string, unknown>).margin, 0.5);
    assert.throws(() => small({ hyper: { margin: -1 } }), (e: unknown) => e instanceof ConfigError && e.field === 'hyper.margin' && /must be a positive number/.test(e.message));
    assert.throws(() => small({ hyper: { margn: 1 } }), (e: unknown) => e instanceof ConfigError && /hyper\.margn: unknown hyper-parameter \(known: .*margin/.test(e.message));
    assert.throws(() => resolveConfig({ loss: 'ns', hyper: { margin: 1 } }), /hyper\.margin: unknown hyper-parameter/, 'another loss does not read it');
  });

  it('trains 20 steps into a run folder, and a stopped run resumes to the same weights', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gankit-extend-'));
    const whole = await startRun(small(), join(root, 'whole'));
    assert.equal(whole.status, 'finished');
    assert.equal(whole.steps, 20);
    const folder = new RunFolder(join(root, 'whole'));
    assert.deepEqual(folder.readMetrics().map((r) => r.step), [5, 10, 15, 20]);
    assert.equal(folder.readSummary()?.status, 'finished');
    assert.equal((folder.readConfig().hyper as { margin: number }).margin, 2);
    assert.ok(folder.readMetrics().every((r) => Number.isFinite(r.dLoss) && Number.isFinite(r.gLoss)));
    // Its diagnostic is a column of the table: logged, and charted in metrics.png.
    assert.equal(metricColumn('marginGap')?.panel, 'hinge margin gap');
    assert.ok(folder.readMetrics().every((r) => Number.isFinite(r.marginGap)), 'its diagnostic is logged');
    const chart = metricsSvg(folder.readMetrics(), 'hinge-margin').match(/<g data-panel="hinge margin gap">([\s\S]*?)<\/g>/);
    assert.ok(chart && /<path d="M[^"]*L/.test(chart[1]), 'metrics.png charts it');

    const stopped = await startRun(small(), join(root, 'split'), { stopAfter: 12 });
    assert.equal(stopped.status, 'stopped');
    await resumeRun(join(root, 'split'));
    const a = folder.loadCheckpoint();
    const b = new RunFolder(join(root, 'split')).loadCheckpoint();
    for (const k of Object.keys(a.arrays)) assert.deepEqual(Array.from(b.arrays[k]), Array.from(a.arrays[k]), k);
  });

  it("the page charts its diagnostic from the metric table, as it charts a built-in loss's", () => {
    const session = PlaygroundSession.create({ loss: 'hinge-margin', data: { name: 'ring8' }, steps: 3, batchSize: 32 });
    try {
      session.train(3);
      // The rows the worker posts, diagnostics beside the rest (as the page's main thread reads them).
      const { diagnostics, ...rest } = session.metrics(200);
      const charts = pageCharts([...metricColumns()], [{ ...rest, ...diagnostics }]);
      const gap = charts.find((c) => c.name === 'marginGap');
      assert.deepEqual(gap, { name: 'marginGap', label: 'E[D(x)] − E[D(G(z))] in margins m', unit: 'margins' });
      assert.equal(readoutText([...metricColumns()], 'marginGap', '0.50'), 'gap 0.50', "the readout: the column's progress-line label");
      // The built-in measures come from the same table: the data's, and the trainer's (short names).
      for (const [name, label] of [['modesCovered', 'modes covered'], ['gradNormD', "D's gradient norm"], ['dLoss', 'D loss']]) assert.equal(charts.find((c) => c.name === name)?.label, label, name);
      // Data without modes: no mode charts; a diagnostic outside the table, under its key in words.
      const spiral = pageCharts([...metricColumns()], [{ step: 1, slicedWasserstein: 0.1, someNewValue: 2 }]);
      assert.deepEqual(spiral.map((c) => c.name), ['slicedWasserstein', 'someNewValue']);
      assert.equal(spiral[1].label, 'some new value');
    } finally {
      session.dispose();
    }
  });

  it('registerLoss refuses a clash and an undeclared hyper-parameter', () => {
    assert.throws(() => registerLoss({ ...marginHinge }), /a loss or variant of that name exists/);
    assert.throws(() => registerLoss({ ...marginHinge, name: 'cgan' }), /a loss or variant of that name exists/);
    assert.throws(() => registerLoss({ ...marginHinge, name: 'other', hyperparameters: undefined }), /preset hyper-parameter 'margin' is not in the hyper-parameter table/);
  });
});
