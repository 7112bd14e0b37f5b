/**
 * 2-D points as a run task: modes covered, high-quality share, reverse KL (VEEGAN/PacGAN protocol)
 * and sliced Wasserstein at every logged step; the scatter of real vs generated samples over D's
 * field with the generator's arrows; samples as CSV or that picture.
 */
import { join } from 'node:path';
import { Rng } from '../../engine/index.js';
import type { PointDataset } from '../../data/points.js';
import { exactWasserstein1 } from '../../metrics/distance.js';
import { scatterSvg, svgToPng } from '../../report/plots.js';
import { RunFolder } from '../../runfolder/folder.js';
import type { MetricsRow } from '../../runfolder/metrics.js';
import type { Trainer } from '../../train/trainer.js';
import type { RunConfig } from '../../train/fields.js';
import { DataKindModule, Evaluation, evaluationRng, RunTask, SampleOutput, SampleRequest } from '../task.js';
import type { PointColumns } from './columns.js';
import './columns.js';
import { pointsTrainer } from './trainer.js';
import { dataExtent, discriminatorField, evaluatePoints, fieldLattice, generatorPush } from './measure.js';

export { evaluatePoints } from './measure.js';

/** The scatter picture of the current generator: real and generated points over D's field, with the generator's arrows. */
export function scatterPng(trainer: Trainer, data: PointDataset, step: number, fake: Float32Array, real: Float32Array, subtitle: string): Buffer {
  const extent = dataExtent(data, real);
  const res = 48;
  const grid = fieldLattice(extent, res, 'bottom-up');
  const arrowPoints = fake.slice(0, 2 * 96);
  const kind = trainer.loss.discriminator;
  const svg = scatterSvg({
    real: real.slice(0, 2 * 1000),
    fake: fake.slice(0, 2 * 1000),
    extent,
    title: `${trainer.config.loss} on ${data.name} — step ${step}`,
    subtitle,
    field: { values: discriminatorField(trainer, grid), res, label: kind === 'logit' ? 'σ(D(x)): P(real)' : kind === 'autoencoder' ? 'D: reconstruction error' : 'critic score D(x)' },
    arrows: { points: arrowPoints, directions: generatorPush(trainer, arrowPoints, evaluationRng(step, 3)) },
    modes: data.modes?.centers,
  });
  return svgToPng(svg);
}

const modesLine = (r: { modesCovered?: number; totalModes?: number; highQualityShare?: number }) =>
  `${r.modesCovered}/${r.totalModes} modes, ${(100 * (r.highQualityShare ?? 0)).toFixed(1)}% high quality`;

export class PointsTask implements RunTask {
  readonly maxSamples = 1_000_000;
  private last: { fake: Float32Array; real: Float32Array } | null = null;
  constructor(
    readonly trainer: Trainer,
    readonly data: PointDataset,
  ) {}

  get dataName(): string {
    return this.data.name;
  }

  evaluate(step: number, full = false): Evaluation {
    const ev = evaluatePoints(this.trainer, this.data, this.trainer.config.evalSamples, step);
    this.last = { fake: ev.fake, real: ev.real };
    const metrics: PointColumns = { slicedWasserstein: ev.sw };
    if (ev.modes) Object.assign(metrics, { modesCovered: ev.modes.modesCovered, modesCoveredGated: ev.modes.modesCoveredGated, totalModes: ev.modes.totalModes, highQualityShare: ev.modes.highQualityShare, reverseKL: ev.modes.reverseKL });
    // The exact W₁ (an optimal assignment, O(n³)) only at plot steps, on the first n of the scored points.
    const w1 = this.trainer.config.exactW1Samples;
    if (full && w1) {
      const n = Math.min(w1, ev.fake.length / 2, ev.real.length / 2);
      metrics.exactW1 = exactWasserstein1(ev.fake.subarray(0, 2 * n), ev.real.subarray(0, 2 * n));
    }
    return { metrics, subtitle: ev.modes ? modesLine(ev.modes) : `sliced W₁ ${ev.sw.toFixed(3)}` };
  }

  pictures(step: number, evaluation: Evaluation): Array<[string, Buffer]> {
    const { fake, real } = this.last ?? evaluatePoints(this.trainer, this.data, this.trainer.config.evalSamples, step);
    return [[RunFolder.picture(step), scatterPng(this.trainer, this.data, step, fake, real, evaluation.subtitle)]];
  }

  reference(): Record<string, number> {
    return {};
  }

  summary(): Record<string, unknown> {
    return {};
  }

  /** CSV of n points (default 1000), or with format 'png' the scatter over the data and D's field. */
  sample({ n = 1000, seed, format = 'csv', out, runDir }: SampleRequest): SampleOutput {
    const points = this.trainer.sample(n, new Rng(seed));
    if (format === 'png') {
      const real = this.data.sample(new Rng(seed + 1), n);
      const path = out ?? join(runDir, 'sample.png');
      return { files: [[path, scatterPng(this.trainer, this.data, this.trainer.step, points, real, `${n} samples, seed ${seed}`)]], message: `wrote ${path}` };
    }
    const lines = ['x,y'];
    for (let i = 0; i < points.length; i += 2) lines.push(`${points[i]},${points[i + 1]}`);
    const text = lines.join('\n') + '\n';
    return out ? { files: [[out, text]] } : { files: [], stdout: text };
  }

  describe(final: MetricsRow | null): string[] {
    const f = final as PointColumns | null;
    const lines: string[] = [];
    if (f?.modesCovered !== undefined) {
      lines.push(`modes covered ${f.modesCovered}/${f.totalModes}, high-quality samples ${(100 * (f.highQualityShare ?? 0)).toFixed(1)}%, reverse KL ${f.reverseKL === null ? 'n/a' : f.reverseKL?.toFixed(3)}`);
    }
    if (f?.slicedWasserstein !== undefined) lines.push(`sliced Wasserstein-1 to the data ${f.slicedWasserstein.toFixed(4)}`);
    return lines;
  }

  progress(measured: MetricsRow): string | null {
    const row = measured as PointColumns;
    if (row.modesCovered !== undefined) return `modes ${row.modesCovered}/${row.totalModes} HQ ${(100 * (row.highQualityShare ?? 0)).toFixed(0)}%`;
    if (row.slicedWasserstein !== undefined) return `SW ${row.slicedWasserstein.toFixed(3)}`;
    return null;
  }

  dispose(): void {
    this.trainer.dispose();
  }
}

export const points: DataKindModule = {
  kind: 'points',
  workload: 'points',
  async createTask(config: RunConfig): Promise<RunTask> {
    const { trainer, data } = pointsTrainer(config);
    return new PointsTask(trainer, data);
  },
};
