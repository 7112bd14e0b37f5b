/**
 * The study report, read in ten seconds: one table (a line per claim: the claim, WGAN-GP's and
 * clipped WGAN's verdicts, the one number that decides them, the evidence), a forest plot of every
 * claim × method, then one card per claim (a one-sentence verdict, one figure, what would change
 * it, every comparison in a collapsed block), then an appendix (the rule, the margins, settings).
 * One document model is written twice — report.md (figures as PNG files beside it) and a
 * self-contained report.html (figures embedded) — so the two carry the same content.
 */
import { writeFileAtomic } from '../io/atomic.js';
import { join } from 'node:path';
import { forestSvg, groupsScatterSvg, lineChartSvg, stripSvg, svgToPng } from '../report/plots.js';
import type { ForestRow, StripRow } from '../report/plots.js';
import type { MetricsRow } from '../runfolder/metrics.js';
import type { ArmResult, ClaimResult, Comparison, MethodVerdict, StudyResult } from './claims.js';
import { armByName, BASELINE, failedRun, fmtEffect, lossEstimate, FAILED_HQ, FID_THRESHOLDS, LEARNT_HQ, MEASURES, METHOD_LABEL, METHODS, STRESS_CONDITIONS } from './claims.js';
import { GRADIENT_SETUP } from './gradients.js';
import { clopperPearson, mean, meanInterval, median, num, VERDICTS } from './stats.js';
import type { Verdict } from './stats.js';

interface RunTrace {
  loss: string;
  metrics: MetricsRow[];
}

type Block =
  | { kind: 'h1'; text: string }
  | { kind: 'h2'; text: string }
  | { kind: 'h3'; text: string }
  | { kind: 'p'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; header: string[]; rows: string[][]; verdictColumns?: number[] }
  | { kind: 'figure'; file: string; alt: string; png: Buffer }
  | { kind: 'details'; summary: string; blocks: Block[] };

export const VERDICT_COLOUR: Record<Verdict, string> = { supported: '#2e8b57', contradicted: '#c0392b', 'no difference': '#2471a3', inconclusive: '#b7950b', 'not tested': '#7f8c8d' };
const VERDICT_FILL: Record<Verdict, string> = { supported: '#d9f2e3', contradicted: '#f7d4d4', 'no difference': '#d6e6f5', inconclusive: '#fbf0c4', 'not tested': '#ececec' };
const ARM_COLOUR: Record<string, string> = { ns: '#1f77b4', minimax: '#7f7f7f', wgan: '#d62728', 'wgan-gp': '#2ca02c', lsgan: '#9467bd', dragan: '#ff7f0e', hinge: '#8c564b', 'ns-sn': '#17becf', 'hinge-sn': '#e377c2' };
const colourOf = (arm: string) => ARM_COLOUR[arm] ?? '#000000';
const shortLabel = (arm: string) => METHOD_LABEL[arm] ?? arm;
/** The first clause of a not-tested reason, for a table cell. */
const short = (reason: string) => reason.split(/[:(;]/)[0].trim();

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const mdCell = (s: string) => s.replace(/\|/g, '/').replace(/\n/g, ' ');

function toMarkdown(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'h1') out.push(`# ${b.text}`, '');
    else if (b.kind === 'h2') out.push(`## ${b.text}`, '');
    else if (b.kind === 'h3') out.push(`### ${b.text}`, '');
    else if (b.kind === 'p') out.push(b.text, '');
    else if (b.kind === 'list') out.push(...b.items.map((i) => `- ${i}`), '');
    else if (b.kind === 'table') out.push(`| ${b.header.map(mdCell).join(' | ')} |`, `|${b.header.map(() => '---').join('|')}|`, ...b.rows.map((r) => `| ${r.map((c, i) => (b.verdictColumns?.includes(i) && c ? `**${mdCell(c)}**` : mdCell(c))).join(' | ')} |`), '');
    else if (b.kind === 'figure') out.push(`![${b.alt}](${b.file})`, '');
    else out.push(`<details><summary>${esc(b.summary)}</summary>`, '', toMarkdown(b.blocks), '</details>', '');
  }
  return out.join('\n');
}

function toHtml(blocks: Block[]): string {
  return blocks
    .map((b) => {
      if (b.kind === 'h1' || b.kind === 'h2' || b.kind === 'h3') return `<${b.kind}>${esc(b.text)}</${b.kind}>`;
      if (b.kind === 'p') return `<p>${esc(b.text)}</p>`;
      if (b.kind === 'list') return `<ul>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
      if (b.kind === 'table') {
        const fill = (c: string) => VERDICT_FILL[VERDICTS.find((v) => c === v || c.startsWith(`${v} (`)) ?? ('' as Verdict)];
        const cell = (c: string, i: number) => (b.verdictColumns?.includes(i) && fill(c) ? `<td style="background:${fill(c)}"><b>${esc(c)}</b></td>` : `<td>${esc(c)}</td>`);
        return `<table><tr>${b.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>\n${b.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n')}</table>`;
      }
      if (b.kind === 'figure') return `<img alt="${esc(b.alt)}" src="data:image/png;base64,${b.png.toString('base64')}">`;
      return `<details><summary>${esc(b.summary)}</summary>\n${toHtml(b.blocks)}\n</details>`;
    })
    .join('\n');
}

const png = (svg: string) => svgToPng(svg);

// ---------------------------------------------------------------------------------------------
// Numbers for cells

const methodsOf = (c: ClaimResult) => METHODS.map((m) => c.methods.find((x) => x.arm === m)).filter((x): x is MethodVerdict => Boolean(x));

/** The decisive comparison of a method in a few words; where its comparisons conflict, both sides. */
function decisiveText(m: MethodVerdict, withWhat: boolean): string {
  if (m.decisive.notTested) return `not tested (${short(m.decisive.notTested)})`;
  const sup = m.comparisons.find((c) => c.verdict === 'supported');
  const con = m.comparisons.find((c) => c.verdict === 'contradicted');
  if (sup && con) return `${fmtEffect(sup)} (${sup.what}) but ${fmtEffect(con)} (${con.what})`;
  return withWhat ? `${m.decisive.what} ${fmtEffect(m.decisive)}` : fmtEffect(m.decisive);
}

/** "the one number": the decisive comparison of each method, with the measure named once where they share it. */
function theNumber(c: ClaimResult): string {
  const ms = methodsOf(c);
  const tag = (m: MethodVerdict) => (m.arm === 'wgan-gp' ? 'GP' : 'clip');
  const tested = ms.filter((m) => !m.decisive.notTested);
  const conflict = (m: MethodVerdict) => m.comparisons.some((x) => x.verdict === 'supported') && m.comparisons.some((x) => x.verdict === 'contradicted');
  const what = new Set(tested.map((m) => m.decisive.what));
  const reasons = new Set(ms.map((m) => (m.decisive.notTested ? short(m.decisive.notTested) : '')));
  if (!tested.length && reasons.size === 1) return `${ms.map(tag).join(', ')}: not tested (${[...reasons][0]})`;
  if (tested.length && what.size === 1 && !ms.some(conflict)) return `${[...what][0]} vs ns: ${ms.map((m) => `${tag(m)} ${decisiveText(m, false)}`).join('; ')}`;
  return ms.map((m) => `${tag(m)}: ${decisiveText(m, true)}`).join('; ');
}

/** A verdict for the table, with how much of its family could be tested. */
function verdictCell(m: MethodVerdict | undefined): string {
  if (!m) return 'not tested';
  const tested = m.comparisons.filter((c) => !c.notTested).length;
  return m.verdict !== 'not tested' && tested < m.comparisons.length ? `${m.verdict} (${tested} of ${m.comparisons.length} tested)` : m.verdict;
}

function sentence(c: ClaimResult): string {
  return (
    methodsOf(c)
      .map((m) => {
        const d = m.decisive;
        const conflict = m.comparisons.some((x) => x.verdict === 'supported') && m.comparisons.some((x) => x.verdict === 'contradicted');
        const why = d.notTested ? d.notTested : conflict ? `conflicting: ${decisiveText(m, true)}` : `${d.what} ${fmtEffect(d)} vs ns${Number.isFinite(d.pAdjusted) ? `, Holm p ${d.pAdjusted < 0.001 ? '< 0.001' : num(d.pAdjusted, 3)}` : ''}`;
        return `${shortLabel(m.arm)}: ${m.verdict} (${why})`;
      })
      .join('; ') + '.'
  );
}

/** The oriented effect in margins, for the forest plot. */
function inMargins(c: Comparison): { estimate: number; lo: number; hi: number } {
  const m = MEASURES[c.measure];
  if (!c.effect || c.notTested) return { estimate: NaN, lo: NaN, hi: NaN };
  const s = m.lowerIsBetter ? -1 : 1;
  const [a, b] = [(s * c.effect.lo) / m.margin, (s * c.effect.hi) / m.margin];
  return { estimate: (s * c.effect.estimate) / m.margin, lo: Math.min(a, b), hi: Math.max(a, b) };
}

function forestPng(claims: ClaimResult[], quick: boolean): Buffer {
  const rows: ForestRow[] = claims.flatMap((c) =>
    methodsOf(c).map((m) => {
      const e = inMargins(m.decisive);
      return { label: `${c.id}. ${c.short} · ${shortLabel(m.arm)}`, ...e, colour: VERDICT_COLOUR[m.verdict], hollow: m.verdict === 'not tested', text: `${m.verdict}${m.decisive.notTested ? ` (${short(m.decisive.notTested)})` : `: ${fmtEffect(m.decisive)} (${m.decisive.what.slice(0, 38)})`}` };
    }),
  );
  return png(forestSvg({ title: `Each claim × method: the deciding effect vs ns${quick ? ' (SMOKE TEST)' : ''}`, xLabel: "effect ÷ equivalence margin (positive: the claim's direction; grey: no difference)", rows, legend: VERDICTS.map((v) => ({ name: v, colour: VERDICT_COLOUR[v] })) }));
}

// ---------------------------------------------------------------------------------------------
// One figure per claim

const arms2d = (r: StudyResult) => r.results.filter((x) => Object.keys(x.runs).length && !armByName(x.arm).sweep);
const strip = (label: string, values: number[], arm: string, interval = true): StripRow => ({ label, values, colour: colourOf(arm), interval: interval && values.length > 1 && values.every(Number.isFinite) ? meanInterval(values) : undefined });

function claimFigure(c: ClaimResult, r: StudyResult, traces: RunTrace[]): { png: Buffer; alt: string } | null {
  const a2 = arms2d(r);
  const finished = (rs: ArmResult['runs'][string] = []) => rs.filter((x) => x.status !== 'pending');
  switch (c.id) {
    case 1: {
      const g = r.results.filter((x) => x.gradients?.length);
      const opt = Math.max(...(g[0]?.gradients?.[0]?.points.map((p) => p.dSteps) ?? [0]));
      const st = r.results.filter((x) => x.stress?.['wide-d']?.length);
      return {
        alt: 'gradient direction at a near-optimal critic; HQ under a 4× wider D',
        png: png(stripSvg({
          title: 'Claim 1: does an optimal critic still point G to the data, and does a wider D break training?',
          panels: [
            { title: `cosine(−∂L_G/∂x, OT direction) after ${opt} D steps`, xLabel: 'cosine per seed', range: [-1, 1], rows: g.map((x) => strip(x.arm, x.gradients!.map((s) => s.points.find((p) => p.dSteps === opt)?.cosineOt ?? NaN), x.arm)) },
            { title: 'ring8 final HQ, D 4× wider than G', xLabel: 'HQ share per seed', range: [0, 1], shade: { from: 0, to: FAILED_HQ, label: `failed (HQ < ${FAILED_HQ})` }, rows: st.map((x) => strip(x.arm, finished(x.stress!['wide-d']).map((o) => o.hq), x.arm, false)) },
          ],
        })),
      };
    }
    case 2:
    case 6: {
      const gated = a2.some((x) => Object.values(x.runs).flat().some((o) => o.modesGated !== undefined));
      const show = a2.filter((x) => ['ns', 'wgan', 'wgan-gp', 'minimax'].includes(x.arm));
      const groups = show.flatMap((x) => Object.entries(x.runs).map(([d, rs]) => ({ name: `${x.arm} ${d}`, xs: finished(rs).map((o) => o.hq), ys: finished(rs).map((o) => (gated ? o.modesGated ?? NaN : o.modes) / o.totalModes) })));
      return {
        alt: 'modes covered against HQ share, per run',
        png: png(groupsScatterSvg({ title: `Claims 2 and 6: covered modes${gated ? ' (gated)' : ' (ungated: records predate the gated count)'} against HQ, every run`, xLabel: 'final HQ share', yLabel: 'share of modes covered', groups, shadeX: { from: 0, to: LEARNT_HQ, label: 'never learnt: diffuse, not collapse' }, xRange: [0, 1], yRange: [0, 1] })),
      };
    }
    case 3: {
      const g = r.results.filter((x) => x.gradients?.length);
      const steps = g[0]?.gradients?.[0]?.points.map((p) => p.dSteps) ?? [];
      const at = (x: ArmResult, f: (p: { cosineOt: number; magnitude: number }) => number) => steps.map((s) => mean(x.gradients!.map((c) => f(c.points.find((p) => p.dSteps === s)!))));
      const series = g.map((x) => ({ name: x.arm, xs: steps.map(Math.log10), ys: at(x, (p) => p.cosineOt) }));
      return { alt: 'gradient direction against D steps', png: png(lineChartSvg({ title: 'Claim 3: cosine of −∂L_G/∂x with the OT direction, critic trained alone (mean of seeds)', xLabel: 'log₁₀ D steps', yLabel: 'cosine', series })) };
    }
    case 4: {
      const img = r.results.filter((x) => x.robustImages?.some((o) => o.status === 'finished'));
      const bestAfter = (xs: number[]) => {
        const s = [...xs].sort((a, b) => a - b);
        const n = s.length;
        const choose = (a: number, b: number) => (b < 0 || b > a ? 0 : Array.from({ length: b }, (_, i) => (a - i) / (b - i)).reduce((p, q) => p * q, 1));
        return Array.from({ length: n }, (_, k0) => {
          const k = k0 + 1;
          let e = 0;
          for (let i = 1; i <= n; i++) {
            const w = choose(n - i, k - 1) / choose(n, k);
            if (w > 0) e += w * s[i - 1];
          }
          return e;
        });
      };
      if (img.length) {
        const series = img.map((x) => {
          const fids = x.robustImages!.map((o) => o.fid);
          return { name: x.arm, xs: fids.map((_, i) => i + 1), ys: bestAfter(fids).map((v) => (Number.isFinite(v) ? v : null)) };
        });
        return { alt: 'best FID after k configurations', png: png(lineChartSvg({ title: 'Claim 4: expected best FID after k random configurations (Lucic et al. Fig. 4)', xLabel: 'k configurations', yLabel: 'FID (N = 10,000)', series, logY: true })) };
      }
      const rob = r.results.filter((x) => x.robust.ring8?.length);
      const series = rob.map((x) => {
        const sw = x.robust.ring8.map((o) => o.sw);
        return { name: x.arm, xs: sw.map((_, i) => i + 1), ys: bestAfter(sw).map((v) => (Number.isFinite(v) ? v : null)) };
      });
      return { alt: 'best sliced W1 after k configurations', png: png(lineChartSvg({ title: "Claim 4: expected best ring8 sliced W₁ after k of gankit's 2-D random configurations", xLabel: 'k configurations', yLabel: 'sliced W₁', series, logY: true })) };
    }
    case 5: {
      const im = r.results.filter((x) => x.images?.length);
      const final = im.some((x) => x.images!.some((t) => t.final));
      return {
        alt: 'FID per seed',
        png: png(stripSvg({
          title: final ? 'Claim 5: Fashion-MNIST FID (N = 10,000), one dot per seed' : 'Claim 5: PRELIMINARY — last FID at N = 1,000 of the older trials (not used for a verdict)',
          panels: [{ title: final ? 'FID at the end of the budget' : `FID at step ${im[0]?.images?.[0]?.last.step ?? '?'} (N = 1,000)`, xLabel: 'FID', logX: true, rows: im.map((x) => strip(x.arm, x.images!.map((t) => (final ? t.final?.fid ?? NaN : t.last.fid)), x.arm)) }],
        })),
      };
    }
    case 7: {
      const panels = [{ title: 'ring8: seconds to all modes at ≥ 50 % HQ', xLabel: 'seconds per run (× never)', logX: true, rows: a2.map((x) => strip(x.arm, finished(x.runs.ring8).map((o) => (o.stepsToTarget ?? Infinity) * x.secondsPerStep), x.arm, false)) }];
      const im = r.results.filter((x) => x.images?.some((t) => t.final));
      if (im.length) panels.push({ title: `Fashion: seconds to FID ≤ ${FID_THRESHOLDS[0]}`, xLabel: 'seconds per seed (× never)', logX: true, rows: im.map((x) => strip(x.arm, x.images!.filter((t) => t.final).map((t) => t.secondsTo[FID_THRESHOLDS[0]]), x.arm, false)) });
      return { alt: 'seconds to target per run', png: png(stripSvg({ title: 'Claim 7: wall seconds to a quality target', panels })) };
    }
    case 8: {
      const st = r.results.filter((x) => x.stress);
      const conds = ['lr5', 'ncritic1', 'preset'].filter((k) => st.some((x) => x.stress![k]?.length));
      if (!conds.length) return null;
      return {
        alt: 'HQ under stress settings',
        png: png(stripSvg({
          title: 'Claim 8: final ring8 HQ per run under stress (shaded: failed)',
          panels: conds.map((k) => ({ title: STRESS_CONDITIONS[k].label.slice(0, 44), xLabel: 'HQ share', range: [0, 1] as [number, number], shade: { from: 0, to: FAILED_HQ, label: 'failed' }, rows: st.filter((x) => x.stress![k]?.length).map((x) => strip(`${x.arm} ${x.stress![k].filter(failedRun).length}/${x.stress![k].length}`, finished(x.stress![k]).map((o) => o.hq), x.arm, false)) })),
        })),
      };
    }
    case 9: {
      const measure = a2.flatMap((x) => Object.values(x.runs).flat()).find((o) => o.trackingMeasure)?.trackingMeasure ?? 'distance';
      const panels = ['ring8', 'grid25'].map((d) => ({ title: `${d}: detrended ρ(−L_D, ${measure}) per run`, xLabel: 'ρ of first differences', range: [-1, 1] as [number, number], rows: a2.filter((x) => x.runs[d]).map((x) => strip(x.arm, finished(x.runs[d]).map((o) => o.tracking ?? NaN).filter(Number.isFinite), x.arm)) }));
      void traces;
      return { alt: 'detrended correlation per run', png: png(stripSvg({ title: 'Claim 9: does −L_D move with the distance to the data?', panels })) };
    }
    case 10: {
      const panels = ['ring8', 'grid25'].map((d) => ({ title: `${d}: final HQ share per run`, xLabel: 'HQ share', range: [0, 1] as [number, number], shade: { from: 0, to: LEARNT_HQ, label: 'never learnt' }, rows: a2.filter((x) => x.runs[d]).map((x) => strip(x.arm, finished(x.runs[d]).map((o) => o.hq), x.arm)) }));
      return { alt: 'final HQ per run', png: png(stripSvg({ title: "Claim 10: the generator's final sample quality", panels })) };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The report

function comparisonsTable(c: ClaimResult): Block[] {
  const rows = c.methods.flatMap((m) =>
    m.comparisons.map((x) => [
      m.arm,
      x.what,
      x.method ?? '',
      x.baseline ?? '',
      x.notTested ? '' : fmtEffect(x),
      x.effect && !x.notTested ? x.effect.test : '',
      x.effect && !x.notTested ? (x.effect.p < 0.001 ? '< 0.001' : num(x.effect.p, 3)) : '',
      Number.isFinite(x.pAdjusted) ? (x.pAdjusted < 0.001 ? '< 0.001' : num(x.pAdjusted, 3)) : '',
      x.verdict,
      x.notTested ?? '',
    ]),
  );
  const verdictRows = c.methods.map((m) => [m.arm, m.verdict]);
  const context: Block[] = (c.context ?? []).flatMap((t): Block[] => [{ kind: 'p', text: `${t.title}:` }, { kind: 'table', header: t.header, rows: t.rows }]);
  return [
    { kind: 'table', header: ['arm', 'comparison (arm vs ns)', 'arm', 'ns', 'effect [95 % CI]', 'test', 'p', 'Holm p', 'verdict', 'why not tested'], rows, verdictColumns: [8] },
    { kind: 'p', text: 'Each arm’s verdict over its family (Holm within the claim; minimax, the other losses and SN arms are context, not claims about WGAN):' },
    { kind: 'table', header: ['arm', 'claim verdict'], rows: verdictRows, verdictColumns: [1] },
    ...context,
  ];
}

function appendix(r: StudyResult): Block[] {
  const s = r.settings;
  const out: Block[] = [{ kind: 'h2', text: 'Appendix' }, { kind: 'h3', text: 'The decision rule' }];
  out.push({
    kind: 'list',
    items: [
      'Baseline fixed in advance: ns (the standard GAN, non-saturating G loss, each paper’s preset). Minimax, the other losses and the spectral-normalised arms are rows of their own, never the baseline.',
      'WGAN-GP and WGAN (weight clipping) get separate verdicts. Each claim names its comparisons in advance (its family: one measure on one data set each); the family is Holm-adjusted at α 0.05.',
      'Tests: Welch’s t for means of per-seed numbers; Fisher’s exact test for rates (each rate with its Clopper–Pearson interval, the difference with Newcombe’s hybrid score interval); exact rank tests with Hodges–Lehmann intervals for times to a target (when a run never got there) and for configurations paired across losses (signed-rank). Log measures compare log₁₀ values and read as ratios.',
      'A comparison is supported / contradicted when significant after Holm in the claim’s direction / against it; no difference when its 95 % interval lies inside the margin below, significant or not (an effect that small does not matter at the margin fixed in advance); inconclusive otherwise; not tested when nothing could fail (floor or ceiling, an arm that never learnt the data — median HQ < 50 %, trials not run yet).',
      'A claim is supported for a method if some comparison is and none contradicts it (contradicted likewise); no difference if all tested ones are; not tested if none was; inconclusive otherwise, conflicts included.',
      'Calibration (test/study.test.ts): with identical arms at 2, 3, 5 and 10 seeds and 12 or 50 paired configurations, the rule gives a false verdict (supported or contradicted) at most 5 % of the time, and it detects planted effects of stated size at ≥ 80 %.',
    ],
  });
  out.push({ kind: 'h3', text: 'Equivalence margins' });
  out.push({ kind: 'table', header: ['measure', 'margin', 'why'], rows: Object.values(MEASURES).map((m) => [m.label, 'log' in m && m.log ? `±${m.margin} in log₁₀ (×${num(10 ** -m.margin, 2)}–×${num(10 ** m.margin, 2)})` : `±${m.margin}`, m.why]) });
  out.push({ kind: 'h3', text: 'Settings' });
  const stress = s.stress;
  const ir = s.imageRobustness;
  out.push({
    kind: 'list',
    items: [
      `Protocol ${s.protocol}${s.protocol === 'quick' ? ' (a smoke test of the pipeline: its verdicts say nothing about the claims)' : s.protocol === 'v2' ? ' (the 2,000-step protocol of the first 1,010 committed trials)' : ''}; ${r.trials.total} trials, ${r.trials.pending} pending (not run).`,
      `Modes: ${s.arms.join(', ')} on ring8 and grid25, ${s.seeds} seeds, ${s.steps} G steps, batch 256, 2,500 samples scored; 2-D toy profile (each paper’s optimiser, n_critic and c, lr 1e-3 decayed linearly, penalties × 1/100: WGAN-GP and DRAGAN λ 0.1). High quality: within 3σ of a mode; a mode is covered (gated) when it holds ≥ 20 % of its expected N/K samples. ${Object.keys(s.modesLogging).length ? `Logging: ${JSON.stringify(s.modesLogging)}.` : 'Logging: every 50 steps (no exact W₁, no gated count in these records).'}${s.protocol === 'v3' ? ' The SN arms are left out of the 2-D runs: at the shared 2-D preset they never learn ring8 (hinge + SN 0.4 of 8 modes, HQ 0.00; a PyTorch replica agrees) and re-tuning them is a search of its own; they stay in the random configurations and the image robustness runs.' : ''}`,
      `Robustness, 2-D: ${r.robustnessConfigs.length} configurations × ${s.robustnessArms.join(', ')} × ring8 and grid25, ${s.robustnessSteps} steps, seed 1, paired across losses. This is gankit's 2-D random space, not compare_gan's: lr log-uniform in [1e-5, 1e-2], β1 ∈ {0, 0.5, 0.9}, n_critic 1–5 and also depth 1–4, width 32–256, relu/leakyRelu/tanh/elu, layer norm or not; WGAN's c log-uniform in [1e-3, 1], a penalty's λ in [0.1, 100] × 1/100; constant lr. Configuration 0 is the preset.`,
      ir ? `Robustness, images: ${ir.configs} configurations of compare_gan's wide space (β1 ~ U[0, 1], β2 0.999, lr 10^U[−5, −2], n_critic 1–5, D batch norm on/off, WGAN's c 10^U[−3, 0], a penalty's λ 10^U[−1, 2]; WGAN without warm-up; hinge + SN keeps spectral norm instead of batch norm) × ${ir.arms.join(', ')}, one seed, ${ir.dUpdates} D updates (2 epochs), dcgan28, FID at N = ${ir.evalSamples.toLocaleString('en')} at the end. Lucic et al. used 100 configurations per loss; ${ir.configs} resolve only large shifts.` : 'Robustness, images: not in this protocol.',
      stress ? `Stress (claims 1, 8): ring8, ${stress.seeds} seeds, ${stress.steps} G steps, arms ${stress.arms.join(', ')}; conditions ${stress.conditions.map((k) => `${k} = ${STRESS_CONDITIONS[k].label}`).join('; ')}. A run failed when it diverged or did not finish, ended below ${FAILED_HQ * 100} % HQ (a blob or an annulus scores ≤ 2 %), or kept at most half the modes (gated). Batch norm in G is an image setting (2-D generators have none): not stressed here.` : 'Stress: not in this protocol.',
      `Gradients (claims 1, 3): each D (3×64 ReLU MLP) trained alone for ${s.gradientSteps} steps (batch ${GRADIENT_SETUP.batch}, its 2-D settings, lr ${GRADIENT_SETUP.lr} constant) on ring8 against a generator collapsed to N(0, ${GRADIENT_SETUP.fakeStd}²I), ${s.gradientSeeds} seeds, measured after ${[...s.gradientCheckpoints, s.gradientSteps].join(', ')} steps on ${GRADIENT_SETUP.points} fixed points: |∂L_G/∂x| and the cosine of −∂L_G/∂x with the optimal-transport direction (an exact assignment of ${GRADIENT_SETUP.points} fakes to ${GRADIENT_SETUP.points} reals) and with the direction to the nearest mode.`,
      `Timing (claim 7): each arm's ring8 preset run ${s.timingSteps} G steps back to back in one process${(s.timingRounds ?? 1) > 1 ? `, after one untimed warm-up run, in ${s.timingRounds} rounds that each start one arm further on (the median per arm; the first trial in a process runs up to ~2.5× slower)` : ''} (${r.timing ?? 'not measured'}); seconds to the target = G steps to it × that arm's seconds per step.`,
      r.fashion ? `Images (claims 5, 7, 10): ${r.fashion.file}: ${r.fashion.note}.` : 'Images (claims 5, 7, 10): no --fashion file given.',
      `Study time ${r.seconds.toFixed(0)} s.`,
    ],
  });
  const tables: Block[] = [];
  const st = r.results.filter((x) => x.stress);
  if (st.length) {
    const conds = [...new Set(st.flatMap((x) => Object.keys(x.stress!)))];
    tables.push({ kind: 'h3', text: 'Stress runs: failures (exact 95 % intervals)' });
    tables.push({
      kind: 'table',
      header: ['condition', ...st.map((x) => x.arm)],
      rows: conds.map((k) => [
        STRESS_CONDITIONS[k]?.label ?? k,
        ...st.map((x) => {
          const rs = x.stress![k];
          if (!rs?.length) return '–';
          if (rs.some((o) => o.status === 'pending')) return `pending (${rs.filter((o) => o.status === 'pending').length} of ${rs.length})`;
          const f = rs.filter(failedRun).length;
          const ci = clopperPearson(f, rs.length);
          const parts = [rs.filter((o) => o.status === 'failed').length && `${rs.filter((o) => o.status === 'failed').length} diverged`, rs.filter((o) => o.status === 'finished' && o.hq < FAILED_HQ).length && `${rs.filter((o) => o.status === 'finished' && o.hq < FAILED_HQ).length} diffuse`, rs.filter((o) => o.status === 'finished' && o.hq >= FAILED_HQ && (o.modesGated ?? o.modes) <= o.totalModes / 2).length && `${rs.filter((o) => o.status === 'finished' && o.hq >= FAILED_HQ && (o.modesGated ?? o.modes) <= o.totalModes / 2).length} collapsed`].filter(Boolean);
          return `${f}/${rs.length} [${num(ci.lo, 2)}, ${num(ci.hi, 2)}]${parts.length ? ` (${parts.join(', ')})` : ''}`;
        }),
      ]),
    });
  }
  const im = r.results.filter((x) => x.images?.length);
  if (im.length) {
    tables.push({ kind: 'h3', text: 'The image benchmark’s trials (what claims 5, 7 and 10 read)' });
    tables.push({
      kind: 'table',
      header: ['system', 'seeds', 'D updates', 'FID (N = 10,000)', 'FID∞', 'precision', 'recall', 'last FID (N = 1,000, step)', 's per G step', 's per D update', `s to FID ≤ ${FID_THRESHOLDS[0]}`],
      rows: im.map((x) => {
        const t = x.images!;
        const f = t.filter((y) => y.final);
        const m = (xs: number[], d: number) => (xs.length ? num(mean(xs), d) : '–');
        return [x.arm, String(t.length), num(median(t.map((y) => y.dUpdates)), 0), f.length ? m(f.map((y) => y.final!.fid), 1) : 'pending', f.length ? m(f.map((y) => y.final!.fidInfinity ?? NaN).filter(Number.isFinite), 1) : '–', f.length ? m(f.map((y) => y.final!.precision), 3) : '–', f.length ? m(f.map((y) => y.final!.recall), 3) : '–', `${m(t.map((y) => y.last.fid), 1)} (${t[0].last.step})`, m(t.map((y) => y.secondsPerStep), 3), m(t.map((y) => y.secondsPerDUpdate), 3), num(median(t.map((y) => y.secondsTo[FID_THRESHOLDS[0]])), 0)];
      }),
    });
    tables.push({ kind: 'p', text: 'Seconds per G step and per D update: the trial’s training and in-training evaluations up to its last evaluation, divided by its G steps / D updates; wall seconds compare only between trials run under the same load.' });
  }
  const lambdaRows = r.results.filter((x) => x.loss === 'dragan' && Object.keys(x.runs).length);
  if (lambdaRows.length > 1) {
    tables.push({ kind: 'h3', text: 'DRAGAN: λ at 2-D scale and at paper scale' });
    tables.push({ kind: 'table', header: ['arm', 'ring8 modes', 'ring8 HQ', 'grid25 modes', 'grid25 HQ'], rows: lambdaRows.map((x) => [`${x.arm} (${armByName(x.arm).label})`, ...['ring8', 'grid25'].flatMap((d) => [num(mean(x.runs[d].map((o) => o.modes)), 2), num(mean(x.runs[d].map((o) => o.hq)), 2)])]) });
  }
  // The replica ran the 2,000-step preset: beside other budgets its numbers would mislead.
  const replica = r.settings.steps === 2000 ? Object.values(r.torch?.arms ?? {}) : [];
  if (replica.length) {
    tables.push({ kind: 'h3', text: 'The 2-D preset in PyTorch (bench/torch_toy.py) beside gankit' });
    tables.push({ kind: 'p', text: `The same preset in PyTorch (3×64 ReLU MLPs, Adam lr 1e-3 β (0.5, 0.999) decayed linearly, batch 256, one SN power iteration per D step); means over seeds with 95 % t intervals; different random streams, so the sides agree within their intervals, not run by run. Source: ${r.torch!.file}.` });
    const ci = (xs: number[]) => {
      const m = meanInterval(xs);
      return Number.isFinite(m.lo) ? `${num(m.estimate, 2)} [${num(m.lo, 2)}, ${num(m.hi, 2)}]` : `${num(m.estimate, 2)} (one run)`;
    };
    tables.push({ kind: 'table', header: ['arm', 'data', 'gankit modes', 'PyTorch modes', 'gankit HQ', 'PyTorch HQ'], rows: replica.map((t) => {
      const runs = (r.results.find((x) => x.arm === t.arm)?.runs[t.data] ?? []).filter((o) => o.status !== 'pending');
      return [t.arm, t.data, runs.length ? ci(runs.map((o) => o.modes)) : '–', ci(t.modes), runs.length ? ci(runs.map((o) => o.hq)) : '–', ci(t.hq)];
    }) });
  }
  out.push(...tables);
  out.push({ kind: 'h3', text: 'Random configurations' });
  out.push({ kind: 'details', summary: `gankit's 2-D random space: ${r.robustnessConfigs.length} configurations`, blocks: [{ kind: 'list', items: r.robustnessConfigs.map((c, i) => `${i}: ${c}`) }] });
  if (r.imageConfigs.length) out.push({ kind: 'details', summary: `compare_gan's wide space on images: ${r.imageConfigs.length} configurations`, blocks: [{ kind: 'list', items: r.imageConfigs.map((c, i) => `${i}: ${c}`) }] });
  return out;
}

/** The main table's rows (also what the README's table follows). */
export function summaryRows(claims: ClaimResult[]): string[][] {
  return claims.map((c) => {
    const v = (arm: string) => verdictCell(c.methods.find((m) => m.arm === arm));
    return [String(c.id), c.claim, v('wgan-gp'), v('wgan'), theNumber(c), c.evidence];
  });
}

export function writeStudyReport(r: StudyResult, traces: RunTrace[]): void {
  const quick = r.settings.protocol === 'quick';
  const blocks: Block[] = [];
  blocks.push({ kind: 'h1', text: `What the Wasserstein loss really does${quick ? ' — SMOKE TEST (--quick)' : ''}` });
  if (quick) blocks.push({ kind: 'p', text: `SMOKE TEST: --quick runs ${r.settings.seeds} seeds of ${r.settings.steps} steps to show the pipeline and the layout; its verdicts say nothing about the claims.` });
  const counts = VERDICTS.map((v) => [v, r.claims.flatMap((c) => methodsOf(c)).filter((m) => m.verdict === v).length] as const).filter(([, n]) => n);
  blocks.push({
    kind: 'p',
    text: `Each claim made for the Wasserstein loss, judged separately for WGAN-GP and WGAN (weight clipping) against ns (the standard GAN with the non-saturating G loss, fixed in advance), with tests suited to a few seeds, Holm within each claim and a stated equivalence margin per measure (appendix). Protocol ${r.settings.protocol}: ${r.trials.total} trials${r.trials.pending ? `, ${r.trials.pending} pending (not run yet: the claims that need them say not tested)` : ''}. Verdicts (claim × method): ${counts.map(([v, n]) => `${n} ${v}`).join(', ')}.`,
  });
  blocks.push({ kind: 'table', header: ['#', 'claim as popularly stated', 'WGAN-GP', 'WGAN (clip)', 'the number that decides it (vs ns, 95 % CI)', 'evidence'], rows: summaryRows(r.claims), verdictColumns: [2, 3] });
  blocks.push({ kind: 'figure', file: 'forest.png', alt: 'forest plot', png: forestPng(r.claims, quick) });
  for (const c of r.claims) {
    blocks.push({ kind: 'h2', text: `${c.id}. ${c.claim}` });
    blocks.push({ kind: 'p', text: sentence(c) });
    blocks.push({ kind: 'p', text: `Measured: ${c.test}. Evidence: ${c.evidence}.${c.shares ? ` Shares ${c.shares}.` : ''}` });
    if (c.caveat) blocks.push({ kind: 'p', text: `Read with: ${c.caveat}` });
    const fig = claimFigure(c, r, traces);
    if (fig) blocks.push({ kind: 'figure', file: `claim-${c.id}.png`, alt: fig.alt, png: fig.png });
    blocks.push({ kind: 'p', text: `What would change this verdict: ${c.change}.` });
    blocks.push({ kind: 'details', summary: `All comparisons for claim ${c.id} (every arm vs ns)`, blocks: comparisonsTable(c) });
  }
  blocks.push(...appendix(r));
  // Figures beside report.md; the HTML embeds them.
  const walk = (bs: Block[]): Array<Extract<Block, { kind: 'figure' }>> => bs.flatMap((b) => (b.kind === 'figure' ? [b] : b.kind === 'details' ? walk(b.blocks) : []));
  for (const f of walk(blocks)) writeFileAtomic(join(r.dir, f.file), f.png);
  writeFileAtomic(join(r.dir, 'report.md'), toMarkdown(blocks).replace(/\n{3,}/g, '\n\n'));
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>gankit study: the Wasserstein loss</title>
<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;font-size:13px;margin-bottom:1em}td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top}th{background:#f4f4f4}img{max-width:100%}details{margin:0.5em 0 1.5em}summary{cursor:pointer;color:#245}</style></head><body>
${toHtml(blocks)}
</body></html>\n`;
  writeFileAtomic(join(r.dir, 'report.html'), html);
}

export { lossEstimate, BASELINE };
export type { ArmResult };
