/**
 * What a 2-D run measures at every logged step (VEEGAN/PacGAN protocol, src/metrics/modes.ts and
 * distance.ts), as metrics columns. No Node module: the page reads them.
 */
import { defineMetricColumns } from '../../runfolder/columns.js';
import type { ColumnValues } from '../../runfolder/columns.js';

export const POINT_COLUMNS = defineMetricColumns([
  { name: 'modesCovered', label: 'modes covered', unit: 'modes', panel: 'modes covered', series: 'modes', headline: { header: 'modes', digits: 0 }, better: 'higher' },
  { name: 'modesCoveredGated', label: 'modes holding at least 20 % of their expected high-quality samples', unit: 'modes', panel: 'modes covered', series: 'gated', better: 'higher' },
  { name: 'totalModes', label: 'modes of the data', unit: 'modes' },
  { name: 'highQualityShare', label: 'high-quality samples (within 3σ of a mode)', short: 'high-quality samples (within 3σ)', unit: 'share', panel: 'high-quality samples (within 3σ)', series: 'HQ', headline: { header: 'HQ', digits: 3 }, better: 'higher' },
  { name: 'reverseKL', label: 'reverse KL of the mode histogram', unit: 'nats', panel: 'reverse KL (modes)', series: 'KL', better: 'lower', nullable: true },
  { name: 'slicedWasserstein', label: 'sliced Wasserstein-1 to the data', unit: 'SW₁', panel: 'sliced Wasserstein to data', series: 'SW', headline: { header: 'SW₁', digits: 4 }, better: 'lower' },
  { name: 'exactW1', label: 'exact W₁ to the data (optimal assignment)', unit: 'W₁', panel: 'exact W₁ to data', series: 'W₁', better: 'lower' },
] as const, 'data');

/** A 2-D run's measures in a metrics row. */
export type PointColumns = ColumnValues<typeof POINT_COLUMNS>;
