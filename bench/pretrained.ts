/**
 * Makes the pretrained generators under assets/pretrained/ from the benchmarks' finished trials
 * (npm run bench:fashion; -- --data mnist) and, for the 2-D model, from its own cached trial.
 * A model whose trial has not finished is reported and skipped; re-running after more trials have
 * finished adds it. Scores are those the trial measured at its last step.
 *
 *   npm run bench:pretrained [-- --runs bench/fashion-runs/converged]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initEngine } from '../src/engine/index.js';
import { workloadOf } from '../src/kinds/index.js';
import { packPretrained } from '../src/pretrained/index.js';
import { openRun, readRunConfig } from '../src/runner/run.js';
import { runTrial, trialResult } from '../src/runner/trial.js';
import { RunFolder } from '../src/runfolder/index.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: 'bench/fashion-runs/converged' } } });
const runs = resolve(values.runs!);

interface Model {
  name: string;
  description: string;
  /** A benchmark trial (data/system-seed), or a 2-D run made here. */
  trial: string;
  discriminator: boolean;
  own?: Record<string, unknown>;
}

const MODELS: Model[] = [
  { name: 'fashion-mnist-ns', description: 'Fashion-MNIST, standard GAN (non-saturating), dcgan28, with its discriminator', trial: 'fashion-mnist/ns-s1', discriminator: true },
  { name: 'fashion-mnist-wgan-gp', description: 'Fashion-MNIST, WGAN-GP (n_critic 5), dcgan28', trial: 'fashion-mnist/wgan-gp-s1', discriminator: false },
  { name: 'fashion-mnist-cgan', description: 'Fashion-MNIST, conditional GAN (concat), dcgan28: input noise then onehot(class)', trial: 'fashion-mnist/cgan-s1', discriminator: false },
  { name: 'mnist-infogan', description: 'MNIST digits, InfoGAN (10-way code + 2 continuous), dcgan28', trial: 'mnist/infogan-s1', discriminator: false },
  {
    name: 'ring8-wgan-gp',
    description: 'ring8 (8 Gaussians on a circle), WGAN-GP, the 2-D toy profile (gankit train defaults)',
    trial: 'points/ring8-wgan-gp',
    discriminator: true,
    own: { loss: 'wgan-gp', data: { name: 'ring8' }, steps: 2000, seed: 1 },
  },
];

const SCORES = ['fid', 'kid', 'precision', 'recall', 'coverage', 'classifierScore', 'conditionalAccuracy', 'codeAccuracy', 'modesCovered', 'totalModes', 'highQualityShare', 'reverseKL', 'slicedWasserstein'];

async function main() {
  for (const m of MODELS) {
    const dir = join(runs, m.trial);
    if (m.own && !trialResult(dir)) {
      await initEngine({ workload: 'points' });
      await runTrial({ overrides: m.own, dir });
    }
    const summary = trialResult(dir);
    if (!summary || summary.status !== 'finished') {
      console.log(`${m.name}: skipped, ${m.trial} has ${existsSync(dir) ? 'not finished' : 'not started'}`);
      continue;
    }
    const config = readRunConfig(dir);
    await initEngine({ backend: config.backend, workload: workloadOf(config), compute: config.compute });
    const opened = await openRun(dir, config, { evaluate: false });
    // The scores of the last evaluation (image runs evaluate at plot steps, 2-D runs at log steps).
    const rows = new RunFolder(dir).readMetrics().filter((r) => (r.fid ?? r.modesCovered) !== undefined);
    const last = rows[rows.length - 1] ?? {};
    const scores = Object.fromEntries(SCORES.filter((k) => typeof (last as Record<string, unknown>)[k] === 'number').map((k) => [k, (last as Record<string, number>)[k]]));
    const out = packPretrained(opened.trainer, { name: m.name, description: m.description, source: `${m.own ? 'bench/pretrained.ts' : 'npm run bench:fashion'} trial ${m.trial} (step ${opened.trainer.step})`, discriminator: m.discriminator, scores });
    opened.task.dispose();
    console.log(`${m.name}: ${out} (step ${summary.steps}; ${Object.entries(scores).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
