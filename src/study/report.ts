/**
 * The study report: a self-contained report.html (plots embedded as PNG data URIs) and a markdown
 * copy (report.md, plots as files next to it) with one row per claim — experiment, numbers,
 * verdict, reason — followed by the settings.
 */
import { writeFileAtomic } from '../io/atomic.js';
import { join, relative } from 'node:path';
import { panelsSvg, svgToPng, Panel } from '../report/plots.js';
import type { MetricsRow } from '../runfolder/metrics.js';
import { column } from '../runfolder/metrics.js';
import type { StudyResult } from './claims.js';
import { lossEstimate } from './claims.js';
import { GRADIENT_SETUP } from './gradients.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface RunTrace {
  loss: string;
  metrics: MetricsRow[];
}

function gradientPng(r: StudyResult): Buffer {
  const curves = r.results.filter((x) => x.gradient).map((x) => x.gradient!);
  const log = (v: number) => Math.log10(Math.max(v, 1e-12));
  const panels: Panel[] = [
    { title: 'D(x) after training alone (σ(D) for logit D)', yLabel: 'D(x)', series: curves.map((g) => ({ name: g.loss, xs: g.xs, ys: g.d })) },
    { title: "generator's gradient log₁₀ |∂L_G/∂x|", yLabel: 'log₁₀', series: curves.map((g) => ({ name: g.loss, xs: g.xs, ys: g.gGrad.map(log) })) },
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

export function writeStudyReport(r: StudyResult, traces: RunTrace[]): void {
  const grad = gradientPng(r);
  const tr = tracesPng(traces);
  writeFileAtomic(join(r.dir, 'gradients.png'), grad);
  writeFileAtomic(join(r.dir, 'loss-vs-quality.png'), tr);
  const s = r.settings;
  const settings = [
    `Losses: ${s.losses.join(', ')} (2-D toy profile: each paper's optimiser, n_critic and λ/c, lr 1e-3 decayed linearly; WGAN-GP λ 0.1, β (0.5, 0.9) as in its authors' 2-D code).`,
    `Modes: ring8 and grid25, ${s.seeds} seeds, ${s.steps} generator steps, batch 256, 2,500 samples; high quality = within 3σ of a mode.`,
    `Robustness: ${r.robustnessConfigs.length} random configurations × each loss, ring8, ${s.robustnessSteps} steps, seed 1; success = ≥ 6/8 modes with ≥ 50 % HQ. Configurations: ${r.robustnessConfigs.join('; ')}.`,
    `Gradients: each D (3×64 ReLU MLP) trained alone for ${s.gradientSteps} steps, batch ${GRADIENT_SETUP.batch}, its paper optimiser type at lr ${GRADIENT_SETUP.lr}.`,
    `Collapsed: ≤ 1/4 of the modes at the end. Study time ${r.seconds.toFixed(0)} s. Every run is a folder under runs/, indexed in runs.sqlite (gankit runs --db ${relative(process.cwd(), join(r.dir, 'runs.sqlite'))}).`,
  ];
  const counts = { holds: 0, 'does not hold': 0, mixed: 0, 'not measured': 0 } as Record<string, number>;
  for (const v of r.verdicts) counts[v.verdict]++;
  const summary = `${counts.holds} hold, ${counts['does not hold']} do not hold, ${counts.mixed} mixed, ${counts['not measured']} not measured`;
  const md = [
    `# What the Wasserstein loss really does`,
    ``,
    `Each claim made for the Wasserstein loss (WGAN with clipping, WGAN-GP), measured against the standard GAN (ns, minimax) and other losses (lsgan, dragan, hinge) by \`gankit study wasserstein${s.seeds === 2 ? ' --quick' : ''}\`: ${summary}.`,
    ``,
    `| # | claim | experiment | numbers | verdict | why |`,
    `|---|---|---|---|---|---|`,
    ...r.verdicts.map((v) => `| ${v.id} | ${v.claim} | ${v.experiment} | ${v.numbers.replace(/\|/g, '/')} | **${v.verdict}** | ${v.reason} |`),
    ``,
    `![gradients](gradients.png)`,
    ``,
    `![loss vs quality](loss-vs-quality.png)`,
    ``,
    `Settings:`,
    ...settings.map((x) => `- ${x}`),
  ].join('\n');
  writeFileAtomic(join(r.dir, 'report.md'), md + '\n');
  const colour: Record<string, string> = { holds: '#d9f2d9', 'does not hold': '#f7d4d4', mixed: '#fff1c2', 'not measured': '#eee' };
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>gankit study: the Wasserstein loss</title>
<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ccc;padding:6px;vertical-align:top}th{background:#f4f4f4}img{max-width:100%}</style></head><body>
<h1>What the Wasserstein loss really does</h1>
<p>Each claim, measured by gankit: ${esc(summary)}.</p>
<table><tr><th>#</th><th>claim</th><th>experiment</th><th>numbers</th><th>verdict</th><th>why</th></tr>
${r.verdicts.map((v) => `<tr><td>${v.id}</td><td>${esc(v.claim)}</td><td>${esc(v.experiment)}</td><td>${esc(v.numbers)}</td><td style="background:${colour[v.verdict]}"><b>${esc(v.verdict)}</b></td><td>${esc(v.reason)}</td></tr>`).join('\n')}
</table>
<h2>Gradients at an optimal discriminator</h2><img alt="gradients" src="data:image/png;base64,${grad.toString('base64')}">
<h2>Does the loss track quality?</h2><img alt="loss vs quality" src="data:image/png;base64,${tr.toString('base64')}">
<h2>Settings</h2><ul>${settings.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>
</body></html>\n`;
  writeFileAtomic(join(r.dir, 'report.html'), html);
}
