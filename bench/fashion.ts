/**
 * The Fashion-MNIST comparison (not a test; Lucic et al.'s protocol in small): trains ns, wgan,
 * wgan-gp, dragan, lsgan, began, cgan and infogan for the same number of generator steps with the
 * 28×28 InfoGAN/Lucic architecture and each loss's paper preset, then scores every run with the
 * same samples budget on gankit's feature network (FID, KID, precision, recall, conditional
 * accuracy) next to the real-vs-real baseline, and writes a markdown table with the settings.
 *
 *   npm run bench:fashion -- [--steps 200] [--jobs 2] [--losses ns,wgan] [--seed 1] [--out bench/fashion-runs]
 *
 * WGAN's warm-up schedule (100 critic steps for the first 25 generator steps and every 500th) is
 * switched off here (n_critic 5 throughout): at a budget of a few hundred steps it would spend the
 * whole budget on the critic.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../src/train/config.js';
import { runTrialProcess, pool, threadsPerJob } from '../src/runner/pool.js';
import type { ImageScores } from '../src/metrics/imageEval.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '200' },
    jobs: { type: 'string', default: String(Math.max(1, cpus().length)) },
    losses: { type: 'string', default: 'ns,lsgan,began,cgan,infogan,dragan,wgan,wgan-gp' },
    seed: { type: 'string', default: '1' },
    samples: { type: 'string', default: '1000' },
    out: { type: 'string', default: 'bench/fashion-runs' },
  },
});
const steps = Number(values.steps);
const losses = values.losses!.split(',');
const outDir = resolve(values.out!);

type Scores = ImageScores;
interface Summary {
  status: string;
  elapsed: number;
  steps: number;
  final: Scores | null;
  realVsReal?: Scores;
  evaluation?: string;
}

function overridesFor(loss: string): Record<string, unknown> {
  return {
    ...(loss === 'wgan' ? WGAN_NO_WARMUP : {}),
    loss,
    data: { name: 'fashion-mnist' },
    // The protocol of the committed table: the Lucic architecture and no EMA (pinned, so that the
    // image defaults can move without invalidating its cached trials).
    model: { arch: 'lucic28' },
    ema: 0,
    steps,
    seed: Number(values.seed),
    evalSamples: Number(values.samples),
    plotEvery: Math.max(1, Math.floor(steps / 2)),
  };
}

const WGAN_NO_WARMUP = { hyper: { warmup: false } };

const f = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

async function main() {
  mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  let done = 0;
  const summaries = await pool(losses, Number(values.jobs), async (loss) => {
    const s = await runTrialProcess<Summary>({ overrides: overridesFor(loss), dir: join(outDir, loss) }, loss, threadsPerJob(Number(values.jobs))).catch((e: Error) => ({ status: `failed: ${e.message}`, elapsed: NaN, steps: 0, final: null }) as Summary);
    done++;
    process.stderr.write(`[${done}/${losses.length}] ${loss}: ${s.final ? `FID ${f(s.final.fid, 2)}, ${s.elapsed.toFixed(0)} s` : s.status}\n`);
    return s;
  });
  const baseline = summaries.find((s) => s.realVsReal)?.realVsReal;
  const header = ['loss', 'FID ↓', 'KID ↓', 'precision', 'recall', 'coverage', 'classifier score', 'cond. / code acc.', 'wall s', 'G steps'];
  const row = (name: string, s: Scores | null | undefined, wall: string, n: string) =>
    s
      ? [name, f(s.fid, 2), f(s.kid, 3), f(s.precision), f(s.recall), f(s.coverage), f(s.classifierScore, 2), s.conditionalAccuracy !== undefined ? f(s.conditionalAccuracy) : s.codeAccuracy !== undefined ? f(s.codeAccuracy) : '–', wall, n]
      : [name, 'failed', '', '', '', '', '', '', wall, n];
  const rows = losses.map((loss, i) => row(loss, summaries[i].final, f(summaries[i].elapsed, 0), String(summaries[i].steps)));
  if (baseline) rows.push(row('*real vs real*', baseline, '–', '–'));
  const settings = losses.map((loss) => {
    const c = resolveConfig({ loss, data: { name: 'fashion-mnist' }, steps });
    const o = (x: typeof c.optimizerD) => `${x.name} lr ${x.lr}${x.beta1 !== undefined ? ` β (${x.beta1}, ${x.beta2})` : ''}`;
    const h = Object.entries(c.hyper).map(([k, v]) => `${k} ${v}`).join(', ');
    return `- \`${loss}\`: D ${o(c.optimizerD)}, G ${o(c.optimizerG)}, n_critic ${c.nCritic}${h ? `, ${h}` : ''}${loss === 'wgan' ? ' (warm-up off)' : ''}`;
  });
  const md = [
    `# Fashion-MNIST: the losses at an equal step budget`,
    ``,
    `${steps} generator steps per loss, batch 64, seed ${values.seed}, z 64-D; G and D: the InfoGAN/Lucic 28×28 architecture ` +
      `(D with batch norm, none for the gradient-penalty losses; BEGAN: a conv autoencoder D). Metrics on ${values.samples} generated ` +
      `images against ${values.samples} test images. ${summaries.find((s) => s.evaluation)?.evaluation ?? ''}. ` +
      `Backend wasm, ${values.jobs} runs in parallel on ${cpus().length} cores (wall times include that sharing).`,
    ``,
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    ``,
    `"cond. / code acc.": cgan — share of samples classified as the class asked for; infogan — best one-to-one match between the 10-way code and the classifier's class; real vs real — the classifier's accuracy on those training images.`,
    ``,
    `Settings per loss:`,
    ...settings,
    ``,
    `Total ${((Date.now() - started) / 1000).toFixed(0)} s. Run folders (sample grids, metrics.png): ${relative(process.cwd(), outDir) || '.'}.`,
  ].join('\n');
  writeFileSync(join(outDir, 'results.md'), md + '\n');
  writeFileSync(join(outDir, 'results.json'), JSON.stringify({ steps, losses: losses.map((l, i) => ({ loss: l, summary: summaries[i] })) }, null, 2));
  console.log(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
