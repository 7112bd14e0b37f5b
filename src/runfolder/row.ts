/** A run folder as one record (what the runs database stores and `gankit compare` shows). */
import { resolve } from 'node:path';
import { RunFolder, RunTag } from './folder.js';

export interface RunRow {
  path: string;
  study: string | null;
  experiment: string | null;
  loss: string;
  variant: string | null;
  data: string;
  seed: number;
  steps: number;
  status: string;
  elapsed: number | null;
  config: Record<string, unknown>;
  final: Record<string, unknown> | null;
  updated: string;
}

/** A run folder as a row, or null when the folder is not a run or cannot be read (see `inspectRunFolder`). */
export function readRunFolder(dir: string, tag: RunTag = {}): RunRow | null {
  const seen = inspectRunFolder(dir, tag);
  return seen && 'row' in seen ? seen.row : null;
}

/** A run folder as a row; `unreadable` with the reason when it has a config.json gankit cannot index; null when it is no run. */
export function inspectRunFolder(dir: string, tag: RunTag = {}): { row: RunRow } | { unreadable: string } | null {
  const folder = new RunFolder(dir);
  if (!folder.isRun()) return null;
  let config: Record<string, unknown>;
  try {
    config = folder.readConfig();
  } catch (e) {
    return { unreadable: (e as Error).message };
  }
  const data = config.data as { name?: unknown } | undefined;
  const bad = [
    typeof config.loss !== 'string' && `loss ${JSON.stringify(config.loss)}`,
    typeof data?.name !== 'string' && `data.name ${JSON.stringify(data?.name)}`,
    !Number.isInteger(config.seed) && `seed ${JSON.stringify(config.seed)}`,
    !Number.isInteger(config.steps) && `steps ${JSON.stringify(config.steps)}`,
  ].filter(Boolean);
  if (bad.length) return { unreadable: `${folder.path('config')}: not a gankit config (${bad.join(', ')})` };
  const summary = folder.readSummary();
  // A study tags its folders with study.json; explicit tags win.
  const stored = folder.readTag();
  return {
    row: {
      path: resolve(dir),
      study: tag.study ?? stored.study ?? null,
      experiment: tag.experiment ?? stored.experiment ?? null,
      loss: String(config.loss),
      variant: (config.variant as string | null | undefined) ?? null,
      data: data!.name as string,
      seed: Number(config.seed),
      steps: Number(config.steps),
      status: summary?.status ?? 'incomplete',
      elapsed: typeof summary?.elapsed === 'number' ? summary.elapsed : null,
      config,
      final: (summary?.final as Record<string, unknown> | null | undefined) ?? null,
      updated: folder.configTime().toISOString(),
    },
  };
}

