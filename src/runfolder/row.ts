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

/** A run folder as a row, or null when the folder is not a run (no readable config.json). */
export function readRunFolder(dir: string, tag: RunTag = {}): RunRow | null {
  const folder = new RunFolder(dir);
  if (!folder.isRun()) return null;
  let config: Record<string, unknown>;
  try {
    config = folder.readConfig();
  } catch {
    return null;
  }
  const summary = folder.readSummary();
  // A study tags its folders with study.json; explicit tags win.
  const stored = folder.readTag();
  const data = (config.data as { name?: string } | undefined)?.name ?? '?';
  return {
    path: resolve(dir),
    study: tag.study ?? stored.study ?? null,
    experiment: tag.experiment ?? stored.experiment ?? null,
    loss: String(config.loss),
    variant: (config.variant as string | null | undefined) ?? null,
    data,
    seed: Number(config.seed),
    steps: Number(config.steps),
    status: summary?.status ?? 'incomplete',
    elapsed: typeof summary?.elapsed === 'number' ? summary.elapsed : null,
    config,
    final: (summary?.final as Record<string, unknown> | null | undefined) ?? null,
    updated: folder.configTime().toISOString(),
  };
}

