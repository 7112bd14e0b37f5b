/**
 * CLI runs replayed in the page (`gankit playground --runs DIR` serves them under runs/): a run's
 * config goes into session A and its logged curves are drawn beside the page's; at its last step
 * the page's weights checksum is compared with the run's.
 */
import { parseMetrics } from '../../src/runfolder/metrics.js';
import type { Reference } from './state.js';

export interface Replayed {
  overrides: Record<string, unknown>;
  reference: Reference;
  /** The dataset menu's value. */
  data: string;
}

/** A served run folder's config, rows and checksum; a reason instead where the page cannot replay it. */
export async function loadRun(name: string): Promise<Replayed | string> {
  const base = `runs/${encodeURIComponent(name)}/`;
  const config = (await (await fetch(`${base}config.json`)).json()) as Record<string, unknown>;
  const model = config.model as { arch?: string } | undefined;
  if (model?.arch && model.arch !== 'mlp') return `${name} is an image run: export it (gankit export) and load it in the images tab`;
  const { compute: _c, ...overrides } = config;
  void _c;
  const text = await (await fetch(`${base}metrics.jsonl`)).text();
  // A torn last row (a live run mid-append) is dropped, as every reader does.
  const rows = parseMetrics(text, `${name}/metrics.jsonl`) as unknown as Array<Record<string, number>>;
  const summary = await fetch(`${base}summary.json`).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  const data = overrides.data as { name?: string } | undefined;
  if (data?.name?.startsWith('csv:')) return `${name} trains on a CSV file the page cannot read: upload it, then apply the run's settings`;
  return { overrides, data: data?.name ?? 'ring8', reference: { name, rows, steps: summary?.steps ?? (config.steps as number), checksum: summary?.weightsChecksum ?? null } };
}

/** The served runs (runs/index.json), for the replay menu; none when the page is served without --runs. */
export async function listRuns(): Promise<Array<{ name: string; loss: string; data: string; steps: number }>> {
  const list = await fetch('runs/index.json').then((r) => (r.ok ? r.json() : [])).catch(() => []);
  return Array.isArray(list) ? list : [];
}
