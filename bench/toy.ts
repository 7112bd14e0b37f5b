/**
 * The 2-D mode-collapse benchmark (not a test): trains each loss on ring8 and grid25 for a fixed
 * number of generator steps with several seeds, each trial a normal gankit run folder made by
 * a worker process, and writes a markdown table of modes covered and high-quality
 * share (mean ± sd over seeds) with wall time, plus the exact settings.
 *
 *   npm run bench:toy -- [--seeds 3] [--steps 2000] [--jobs 2] [--losses ns,wgan-gp] [--out bench/toy-runs]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../src/train/config.js';
import { runTrialProcess, pool, meanSd } from '../src/runner/pool.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '2000' },
    jobs: { type: 'string', default: String(Math.max(1, cpus().length)) },
    losses: { type: 'string', default: 'ns,minimax,lsgan,wgan,wgan-gp,dragan,hinge,began' },
    data: { type: 'string', default: 'ring8,grid25' },
    out: { type: 'string', default: 'bench/toy-runs' },
  },
});
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => i + 1);
const steps = Number(values.steps);
const losses = values.losses!.split(',');
const datasets = values.data!.split(',');
const outDir = resolve(values.out!);

interface Trial {
  loss: string;
  data: string;
  seed: number;
  dir: string;
}

interface Summary {
  status: string;
  elapsed: number;
  final: { modesCovered: number; totalModes: number; highQualityShare: number; reverseKL: number | null };
}

function runPointsTrial(t: Trial): Promise<Summary> {
  const overrides = { loss: t.loss, data: { name: t.data }, seed: t.seed, steps };
  return runTrialProcess<Summary>({ overrides, dir: t.dir }, `${t.loss}/${t.data}/seed ${t.seed}`);
}

async function main() {
  mkdirSync(outDir, { recursive: true });
  const trials: Trial[] = [];
  for (const loss of losses) for (const data of datasets) for (const seed of seeds) trials.push({ loss, data, seed, dir: join(outDir, `${loss}-${data}-s${seed}`) });
  const started = Date.now();
  let done = 0;
  const summaries = await pool(trials, Number(values.jobs), async (t) => {
    const s = await runPointsTrial(t).catch((e: Error) => ({ status: `failed: ${e.message}`, elapsed: NaN, final: null }) as unknown as Summary);
    done++;
    process.stderr.write(`[${done}/${trials.length}] ${t.loss} ${t.data} seed ${t.seed}: ${s.final ? `${s.final.modesCovered}/${s.final.totalModes} modes, ${(100 * s.final.highQualityShare).toFixed(1)}% HQ, ${s.elapsed.toFixed(1)} s` : s.status}\n`);
    return s;
  });
  const header = ['loss', ...datasets.flatMap((d) => [`${d} modes`, `${d} HQ %`, `${d} rev. KL`]), 'wall s / run'];
  const rows = losses.map((loss) => {
    const cells = [loss];
    const times: number[] = [];
    for (const data of datasets) {
      const ok = trials.map((t, i) => [t, summaries[i]] as const).filter(([t, s]) => t.loss === loss && t.data === data && s.final);
      const failed = seeds.length - ok.length;
      const modes = meanSd(ok.map(([, s]) => s.final.modesCovered));
      const hq = meanSd(ok.map(([, s]) => 100 * s.final.highQualityShare));
      const kls = ok.map(([, s]) => s.final.reverseKL).filter((k): k is number => k !== null);
      const kl = meanSd(kls);
      times.push(...ok.map(([, s]) => s.elapsed));
      const total = ok[0]?.[1].final.totalModes ?? '?';
      cells.push(ok.length ? `${modes.m.toFixed(1)} ± ${modes.sd.toFixed(1)} / ${total}${failed ? ` (${failed} failed)` : ''}` : 'failed', ok.length ? `${hq.m.toFixed(1)} ± ${hq.sd.toFixed(1)}` : '–', kls.length ? `${kl.m.toFixed(2)} ± ${kl.sd.toFixed(2)}` : '–');
    }
    cells.push(times.length ? meanSd(times).m.toFixed(1) : '–');
    return cells;
  });
  const settings = losses.map((loss) => {
    const c = resolveConfig({ loss, steps });
    const o = (x: typeof c.optimizerD) => `${x.name} lr ${x.lr}${x.beta1 !== undefined ? ` β (${x.beta1}, ${x.beta2})` : ''}`;
    const h = Object.entries(c.hyper).map(([k, v]) => `${k} ${v}`).join(', ');
    return `- \`${loss}\`: ${o(c.optimizerD)}, n_critic ${c.nCritic}${h ? `, ${h}` : ''}`;
  });
  const base = resolveConfig({ steps });
  const [g, d] = [base.model.generator!, base.model.discriminator!];
  const md = [
    `# 2-D mode-collapse benchmark`,
    ``,
    `${steps} generator steps per run, seeds ${seeds.join(', ')}, batch ${base.batchSize}, ${base.evalSamples} samples for the metrics; a sample is high quality within 3σ of its nearest mode; mean ± sd over seeds. ` +
      `MLPs: G ${base.model.noiseDim} → ${g.depth}×${g.width} ${g.activation} → 2, D 2 → ${d.depth}×${d.width} ${d.activation} → 1 (BEGAN: an MLP autoencoder). ` +
      `Profile '${base.profile}': lr ${base.optimizerD.lr} with ${base.lrSchedule} decay; backend ${base.backend}; ${values.jobs} runs in parallel on ${cpus().length} cores (wall times include that sharing). Data: ring8 radius 2 σ 0.02, grid25 σ 0.05.`,
    ``,
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    ``,
    `Published standard-GAN baselines (other architectures and budgets): VEEGAN 1/8 (ring), 3.3/25 (grid); PacGAN 6.3 ± 0.5/8 at 98.2 % HQ, 17.3 ± 0.8/25 at 94.8 % HQ.`,
    ``,
    `Per-loss optimiser settings:`,
    ...settings,
    ``,
    `Total ${((Date.now() - started) / 1000).toFixed(0)} s. Run folders: ${relative(process.cwd(), outDir) || '.'}.`,
  ].join('\n');
  writeFileSync(join(outDir, 'results.md'), md + '\n');
  writeFileSync(join(outDir, 'results.json'), JSON.stringify({ steps, seeds, trials: trials.map((t, i) => ({ ...t, summary: summaries[i] })) }, null, 2));
  console.log(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
