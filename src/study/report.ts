/**
 * The study report: a self-contained report.html (plots embedded as PNG data URIs) and a markdown
 * copy (report.md, plots as files next to it): one row per claim — experiment, numbers with their
 * 95 % intervals, the verdict against the standard GAN and against the spectral-normalised arms,
 * the comparisons behind it — then the DRAGAN λ sweep, the robustness distributions, the image
 * trials and the settings.
 */
import { writeFileAtomic } from '../io/atomic.js';
import { join, relative } from 'node:path';
import { panelsSvg, svgToPng, Panel } from '../report/plots.js';
import type { MetricsRow } from '../runfolder/metrics.js';
import { column } from '../runfolder/metrics.js';
import type { ArmResult, StudyResult } from './claims.js';
import { armByName, lossEstimate, NEAR_BEST, quartiles, FID_THRESHOLDS } from './claims.js';
import { GRADIENT_SETUP } from './gradients.js';
import { bootstrap, fmtInterval, mean, median, quantile } from './stats.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface RunTrace {
  loss: string;
  metrics: MetricsRow[];
}

function gradientPng(r: StudyResult): Buffer {
  const curves = r.results.filter((x) => x.gradients?.length).map((x) => x.gradients![0]);
  const log = (v: number) => Math.log10(Math.max(v, 1e-12));
  const panels: Panel[] = [
    { title: 'D(x) after training alone (σ(D) for logit D), seed 1', yLabel: 'D(x)', series: curves.map((g) => ({ name: g.loss, xs: g.xs, ys: g.d })) },
    { title: "generator's gradient log₁₀ |∂L_G/∂x|, seed 1", yLabel: 'log₁₀', series: curves.map((g) => ({ name: g.loss, xs: g.xs, ys: g.gGrad.map(log) })) },
  ];
  return svgToPng(panelsSvg(`Optimal D against a fixed G: real N(${GRADIENT_SETUP.real}, ${GRADIENT_SETUP.std}²), generated N(${GRADIENT_SETUP.fake}, ${GRADIENT_SETUP.std}²)`, panels, 2, 'x'));
}

function tracesPng(traces: RunTrace[]): Buffer {
  const panels: Panel[] = traces.map((t) => ({
    title: `${t.loss}: −L_D (blue) and sliced W₁ ×10 (red)`,
    yLabel: 'value',
    series: [
      { name: '−L_D', xs: t.metrics.map((m) => m.step), ys: t.metrics.map(lossEstimate) },
      { name: 'SW₁ ×10', xs: t.metrics.map((m) => m.step), ys: column(t.metrics, 'slicedWasserstein').map((v) => (v === null ? null : 10 * v)) },
    ],
  }));
  return svgToPng(panelsSvg('Loss estimate vs distance to the data over training (ring8, seed 1)', panels, 2));
}

const f = (x: number, digits = 2) => (x === Infinity ? '∞' : Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const ci = (xs: number[], stat: (v: number[]) => number, digits = 2) => (xs.length ? fmtInterval(bootstrap([xs], ([v]) => stat(v)), digits) : 'n/a');

/** Tables beside the claims: the λ sweep, the robustness distributions, the image trials. */
function tables(r: StudyResult): Array<{ title: string; note: string; header: string[]; rows: string[][] }> {
  const datasets = Object.keys(r.results[0]?.runs ?? {});
  const out: Array<{ title: string; note: string; header: string[]; rows: string[][] }> = [];
  const lambdaRows = r.results.filter((x) => x.loss === 'dragan' && Object.keys(x.runs).length);
  if (lambdaRows.length) {
    out.push({
      title: 'DRAGAN: λ at 2-D scale and at paper scale',
      note: `The 2-D rule gives λ 0.1 (the paper's 10 × 1/100); λ 10 is the paper's image-scale weight. Modes and HQ: mean over seeds; sliced W₁: median over seeds (∞ for a failed run); 95 % bootstrap intervals; WGAN-GP (λ 0.1) for reference.`,
      header: ['arm', ...datasets.flatMap((d) => [`${d} modes`, `${d} HQ share`, `${d} median sliced W₁`])],
      rows: [...lambdaRows, ...r.results.filter((x) => x.arm === 'wgan-gp')].map((x) => [
        `${x.arm} (${armByName(x.arm).label})`,
        ...datasets.flatMap((d) => [ci(x.runs[d].map((o) => o.modes), mean), ci(x.runs[d].map((o) => o.hq), mean), ci(x.runs[d].map((o) => o.sw), median, 3)]),
      ]),
    });
  }
  const robust = r.results.filter((x) => Object.keys(x.robust).length);
  if (robust.length) {
    out.push({
      title: 'Robustness: what each loss reaches over random configurations',
      note: `${r.robustnessConfigs.length} configurations per loss (the first is the 2-D preset), paired across losses; sliced W₁ of failed runs is ∞. "Near the best": within ${NEAR_BEST}× the best configuration of any loss on that dataset.`,
      header: ['arm', ...datasets.flatMap((d) => [`${d} sliced W₁ best / Q1 / median / Q3`, `${d} HQ best / Q3 / median / Q1`, `${d} near the best`, `${d} failed`])],
      rows: robust.map((x) => [
        x.arm,
        ...datasets.flatMap((d) => {
          const sw = x.robust[d].map((o) => o.sw);
          const q = quartiles(sw);
          const best = Math.min(...robust.flatMap((y) => y.robust[d].map((o) => o.sw)));
          const hq = x.robust[d].map((o) => o.hq);
          return [
            `${f(q.best, 3)} / ${f(q.q1, 3)} / ${f(q.median, 3)} / ${f(q.q3, 3)}`,
            `${f(Math.max(...hq))} / ${f(quantile(hq, 0.75))} / ${f(quantile(hq, 0.5))} / ${f(quantile(hq, 0.25))}`,
            ci(sw.map((v) => (v <= NEAR_BEST * best ? 1 : 0)), mean),
            `${x.robust[d].filter((o) => o.failed).length}/${sw.length}`,
          ];
        }),
      ]),
    });
  }
  const replica = Object.values(r.torch?.arms ?? {});
  if (replica.length) {
    out.push({
      title: 'The 2-D preset in PyTorch (bench/torch_toy.py) beside gankit',
      note: `The same preset (3×64 ReLU MLPs, Glorot weights, Adam lr 1e-3 β (0.5, 0.999) decayed linearly, batch 256, ${r.settings.steps} G steps) in PyTorch, spectral norm by torch.nn.utils.parametrizations.spectral_norm with one power iteration per D step, as gankit's (--sn-per-forward: PyTorch's one per forward); mean over seeds with 95 % bootstrap intervals. The two sides draw different random numbers, so they agree within their intervals, not run by run. Source: ${r.torch!.file}.`,
      header: ['arm', 'dataset', 'gankit modes', 'PyTorch modes', 'gankit HQ share', 'PyTorch HQ share'],
      rows: replica.map((t) => {
        const runs = r.results.find((x) => x.arm === t.arm)?.runs[t.data] ?? [];
        return [t.arm, t.data, ci(runs.map((o) => o.modes), mean), ci(t.modes, mean), ci(runs.map((o) => o.hq), mean), ci(t.hq, mean)];
      }),
    });
  }
  const images = r.results.filter((x) => x.images?.length);
  if (images.length) {
    out.push({
      title: 'Fashion-MNIST (the converged benchmark, npm run bench:fashion)',
      note: `FID on gankit's feature network at the benchmark's budget (mean over the seeds run, 95 % bootstrap interval where there are two or more); steps and seconds until FID first fell to a threshold (evaluations every 500 steps; ∞: never).${r.fashion ? ` Source: ${r.fashion}.` : ''}`,
      header: ['arm', 'seeds', 'FID', 'precision', 'recall', ...FID_THRESHOLDS.flatMap((t) => [`steps to ≤ ${t}`, `seconds to ≤ ${t}`])],
      rows: images.map((x) => {
        const t = x.images!;
        return [x.arm, String(t.length), ci(t.map((v) => v.fid), mean, 1), ci(t.map((v) => v.precision), mean), ci(t.map((v) => v.recall), mean), ...FID_THRESHOLDS.flatMap((th) => [f(median(t.map((v) => v.stepsTo[th])), 0), f(median(t.map((v) => v.secondsTo[th])), 0)])];
      }),
    });
  }
  return out;
}

export function writeStudyReport(r: StudyResult, traces: RunTrace[]): void {
  const grad = gradientPng(r);
  const tr = tracesPng(traces);
  writeFileAtomic(join(r.dir, 'gradients.png'), grad);
  writeFileAtomic(join(r.dir, 'loss-vs-quality.png'), tr);
  const s = r.settings;
  const settings = [
    `Arms: ${s.arms.map((a) => `${a} (${armByName(a).label})`).join(', ')}. 2-D toy profile: each paper's optimiser, n_critic and c, lr 1e-3 decayed linearly; every gradient penalty at the 2-D rule's weight (the paper's × 1/100: WGAN-GP and DRAGAN λ 0.1), WGAN-GP with its authors' β (0.5, 0.9).`,
    `Modes: ring8 and grid25, ${s.seeds} seeds, ${s.steps} generator steps, batch 256, 2,500 samples; high quality = within 3σ of a mode. A run that diverged or did not finish counts as 0 modes, 0 HQ and sliced W₁ ∞.`,
    `Robustness: ${r.robustnessConfigs.length} configurations × each arm (not the λ-sweep rows) × ring8 and grid25, ${s.robustnessSteps} steps, seed 1. Configurations (compare_gan's wide space: lr log-uniform in [1e-5, 1e-2], β1 ∈ {0, 0.5, 0.9}, n_critic 1–5, depth 1–4, width 32–256, relu/leakyRelu/tanh/elu, layer norm or not, constant lr; WGAN's c log-uniform in [1e-3, 1]; a penalty's λ log-uniform in [0.1, 100] × 1/100): ${r.robustnessConfigs.join('; ')}.`,
    `Gradients: each D (3×64 ReLU MLP) trained alone for ${s.gradientSteps} steps, batch ${GRADIENT_SETUP.batch}, its 2-D settings at lr ${GRADIENT_SETUP.lr}, ${s.gradientSeeds} seeds.`,
    `Intervals: percentile bootstrap, 95 %, ${'2,000'} resamples; seeds resampled per arm, configurations resampled in pairs. Collapsed: ≤ 1/4 of the modes at the end. Study time ${r.seconds.toFixed(0)} s. Every run is a folder under runs/, indexed in runs.sqlite (gankit runs --db ${relative(process.cwd(), join(r.dir, 'runs.sqlite')) || 'runs.sqlite'}).`,
  ];
  const counts: Record<string, number> = { holds: 0, 'does not hold': 0, mixed: 0, inconclusive: 0, 'not measured': 0 };
  for (const v of r.verdicts) counts[v.verdict]++;
  const summary = `${counts.holds} hold, ${counts['does not hold']} do not hold, ${counts.mixed} mixed, ${counts.inconclusive} inconclusive, ${counts['not measured']} not measured`;
  const rule =
    'Each verdict comes from comparisons with 95 % bootstrap intervals: a comparison holds only when its interval excludes the baseline, does not hold only when it excludes the claim (an interval of exactly 0, two arms that never differ, excludes "better"), and is inconclusive otherwise (a single run has no interval). ' +
    'A claim holds when all its comparisons hold, does not hold when all do not, is mixed when some hold and some do not, and is inconclusive otherwise; one critic run that lost a mode refutes "prevents mode collapse" for that dataset. ' +
    'The baseline is the standard GAN (the better of ns and minimax on each measure, chosen in every resample); "vs SN" makes the same comparisons against the better of ns + SN and hinge + SN. Image wall seconds are compared only between trials run under the same load; ring8 seconds are G steps to the target × the arm\'s seconds per G step, timed with every arm\'s preset back to back in the study\'s process after the trials (its trials may have run in several sittings or on several machines).';
  const tabs = tables(r);
  const mdTable = (header: string[], rows: string[][]) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((x) => `| ${x.map((c) => c.replace(/\|/g, '/')).join(' | ')} |`)];
  const md = [
    `# What the Wasserstein loss really does`,
    ``,
    `Each claim made for the Wasserstein loss (WGAN with clipping, WGAN-GP), measured against the standard GAN (ns, minimax), spectral normalisation (ns + SN, hinge + SN) and other losses (lsgan, dragan, hinge) by \`gankit study wasserstein${r.quick ? ' --quick' : ''}\`: ${summary}.`,
    ``,
    rule,
    ``,
    ...mdTable(['#', 'claim', 'experiment', 'numbers (95 % intervals)', 'verdict', 'vs SN', 'comparisons'], r.verdicts.map((v) => [String(v.id), v.claim, v.experiment, v.numbers, `**${v.verdict}**`, `**${v.versusSn}**`, `${v.reason}. vs SN: ${v.snReason}`])),
    ``,
    ...tabs.flatMap((t) => [`## ${t.title}`, ``, t.note, ``, ...mdTable(t.header, t.rows), ``]),
    `![gradients](gradients.png)`,
    ``,
    `![loss vs quality](loss-vs-quality.png)`,
    ``,
    `Settings:`,
    ...settings.map((x) => `- ${x}`),
  ].join('\n');
  writeFileAtomic(join(r.dir, 'report.md'), md + '\n');
  const colour: Record<string, string> = { holds: '#d9f2d9', 'does not hold': '#f7d4d4', mixed: '#fff1c2', inconclusive: '#e4e8f4', 'not measured': '#eee' };
  const htmlTable = (header: string[], rows: string[][]) => `<table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>\n${rows.map((x) => `<tr>${x.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}</table>`;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>gankit study: the Wasserstein loss</title>
<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;font-size:13px;margin-bottom:1em}td,th{border:1px solid #ccc;padding:5px;vertical-align:top}th{background:#f4f4f4}img{max-width:100%}</style></head><body>
<h1>What the Wasserstein loss really does</h1>
<p>Each claim, measured by gankit: ${esc(summary)}.</p><p>${esc(rule)}</p>
<table><tr><th>#</th><th>claim</th><th>experiment</th><th>numbers (95 % intervals)</th><th>verdict</th><th>vs SN</th><th>comparisons</th></tr>
${r.verdicts.map((v) => `<tr><td>${v.id}</td><td>${esc(v.claim)}</td><td>${esc(v.experiment)}</td><td>${esc(v.numbers)}</td><td style="background:${colour[v.verdict]}"><b>${esc(v.verdict)}</b></td><td style="background:${colour[v.versusSn]}"><b>${esc(v.versusSn)}</b></td><td>${esc(v.reason)}. vs SN: ${esc(v.snReason)}</td></tr>`).join('\n')}
</table>
${tabs.map((t) => `<h2>${esc(t.title)}</h2><p>${esc(t.note)}</p>${htmlTable(t.header, t.rows)}`).join('\n')}
<h2>Gradients at an optimal discriminator</h2><img alt="gradients" src="data:image/png;base64,${grad.toString('base64')}">
<h2>Does the loss track quality?</h2><img alt="loss vs quality" src="data:image/png;base64,${tr.toString('base64')}">
<h2>Settings</h2><ul>${settings.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>
</body></html>\n`;
  writeFileAtomic(join(r.dir, 'report.html'), html);
}

export type { ArmResult };
