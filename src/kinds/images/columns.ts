/**
 * What an image run measures on gankit's feature network at plot steps (src/metrics/imageEval.ts),
 * as metrics columns. No Node module: the page reads them.
 */
import { defineMetricColumns } from '../../runfolder/columns.js';
import type { ColumnValues } from '../../runfolder/columns.js';

export const IMAGE_COLUMNS = defineMetricColumns([
  { name: 'fid', label: 'FID', unit: 'FID', panel: 'FID (gankit feature network)', series: 'FID', headline: { header: 'FID', digits: 2 }, better: 'lower' },
  { name: 'fidInfinity', label: 'FID∞', unit: 'FID', panel: 'FID (gankit feature network)', series: 'FID∞', headline: { header: 'FID∞', digits: 2 }, better: 'lower' },
  { name: 'kid', label: 'KID', unit: 'KID', panel: 'KID', headline: { header: 'KID', digits: 3 }, better: 'lower' },
  { name: 'kidStd', label: "KID's standard deviation over its subsets", unit: 'KID' },
  { name: 'kidSe', label: "KID's standard error", unit: 'KID' },
  { name: 'precision', label: 'precision', unit: 'share', panel: 'precision / recall', headline: { header: 'prec', digits: 3 }, better: 'higher' },
  { name: 'recall', label: 'recall', unit: 'share', panel: 'precision / recall', headline: { header: 'recall', digits: 3 }, better: 'higher' },
  { name: 'density', label: 'density', unit: 'share', better: 'higher' },
  { name: 'coverage', label: 'coverage', unit: 'share', panel: 'precision / recall', better: 'higher' },
  { name: 'classifierScore', label: 'classifier score', unit: 'exp E KL', panel: 'classifier score', series: 'score', headline: { header: 'CS', digits: 2 }, better: 'higher' },
  { name: 'conditionalAccuracy', label: 'conditional accuracy', unit: 'share', panel: 'conditional accuracy', series: 'accuracy', headline: { header: 'class acc', digits: 3 }, better: 'higher' },
  { name: 'codeAccuracy', label: 'InfoGAN code ↔ class accuracy (best match)', unit: 'share', panel: 'InfoGAN code ↔ class (best match)', series: 'accuracy', headline: { header: 'code acc', digits: 3 }, better: 'higher' },
] as const, 'data');

/** An image run's scores in a metrics row. */
export type ImageColumns = ColumnValues<typeof IMAGE_COLUMNS>;
