/**
 * What the page calls each metric column: a human name, the axis label (its unit) and which way is
 * better. The one place the page spells column names; its entries have the shape of the library's
 * metric-column table (name, label, unit, better), so that this lookup can read that table when it
 * lands (issue 30 item 1) and keep only the page's short chart titles. A column it does not know —
 * a loss registered from user code — is shown under its key, split into words.
 */

export interface ColumnName {
  /** The key in a metrics row. */
  name: string;
  /** The chart's title. */
  label: string;
  /** The y axis's label. */
  unit: string;
  better?: 'higher' | 'lower';
}

const KNOWN: ColumnName[] = [
  { name: 'modesCovered', label: 'modes covered', unit: 'modes', better: 'higher' },
  { name: 'highQualityShare', label: 'high-quality samples (within 3σ)', unit: 'share', better: 'higher' },
  { name: 'reverseKL', label: 'reverse KL of the mode histogram', unit: 'nats', better: 'lower' },
  { name: 'slicedWasserstein', label: 'sliced Wasserstein-1 to the data', unit: 'SW₁', better: 'lower' },
  { name: 'gradNormD', label: "D's gradient norm", unit: '‖∇D‖' },
  { name: 'gradNormG', label: "G's gradient norm", unit: '‖∇G‖' },
  { name: 'dLoss', label: 'D loss', unit: 'loss' },
  { name: 'gLoss', label: 'G loss', unit: 'loss' },
  { name: 'wassersteinEstimate', label: 'Wasserstein estimate E[D(x)] − E[D(G(z))]', unit: 'W estimate' },
  { name: 'k', label: 'BEGAN: the balance k_t', unit: 'k_t' },
  { name: 'convergence', label: 'BEGAN: the convergence measure M_global', unit: 'M_global', better: 'lower' },
  { name: 'mutualInformation', label: 'InfoGAN: the bound L_I', unit: 'nats' },
];

/** The charts that only data with modes has (ring8, grid25). */
export const MODE_CHARTS = ['modesCovered', 'highQualityShare', 'reverseKL'];

/** The charts of a 2-D session, in order (the diagnostics of its loss follow). */
export const SESSION_CHARTS = ['modesCovered', 'highQualityShare', 'reverseKL', 'slicedWasserstein', 'gradNormD', 'gradNormG'];

/** "wassersteinEstimate" → "wasserstein estimate". */
const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

export function columnName(key: string): ColumnName {
  return KNOWN.find((c) => c.name === key) ?? { name: key, label: words(key), unit: 'value' };
}
