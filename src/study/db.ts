/**
 * The runs database: one SQLite row per run folder (config, seed, status, final metrics, path),
 * so that runs can be listed, filtered and compared. The folders are the truth: the database is
 * an index that `rebuild` recreates from them at any time, so a worker killed mid-run loses no
 * row — its folder is indexed as 'incomplete' (config.json, no summary.json) and a re-run that
 * finishes it updates the same row.
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';

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

export interface RunFilter {
  loss?: string;
  data?: string;
  status?: string;
  study?: string;
  experiment?: string;
}

interface Tag {
  study?: string;
  experiment?: string;
}

/** A run folder as a row, or null when the folder is not a run (no config.json). */
export function readRunFolder(dir: string, tag: Tag = {}): RunRow | null {
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath)) return null;
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch {
    return null;
  }
  let summary: { status?: string; elapsed?: number; final?: Record<string, unknown> | null } | null = null;
  try {
    summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  } catch {
    summary = null;
  }
  // A study tags its folders with study.json; explicit tags win.
  let stored: Tag = {};
  try {
    stored = JSON.parse(readFileSync(join(dir, 'study.json'), 'utf8'));
  } catch {
    stored = {};
  }
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
    final: summary?.final ?? null,
    updated: new Date(statSync(configPath).mtimeMs).toISOString(),
  };
}

export class RunsDb {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    try {
      this.db = new Database(file);
    } catch (e) {
      throw new InputError(`${file}: cannot open the runs database (${(e as Error).message})`);
    }
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS runs (
      path TEXT PRIMARY KEY,
      study TEXT, experiment TEXT,
      loss TEXT NOT NULL, variant TEXT, data TEXT NOT NULL, seed INTEGER NOT NULL, steps INTEGER NOT NULL,
      status TEXT NOT NULL, elapsed REAL,
      config TEXT NOT NULL, final TEXT, updated TEXT NOT NULL
    )`);
  }

  upsert(row: RunRow): void {
    this.db
      .prepare(
        `INSERT INTO runs (path, study, experiment, loss, variant, data, seed, steps, status, elapsed, config, final, updated)
         VALUES (@path, @study, @experiment, @loss, @variant, @data, @seed, @steps, @status, @elapsed, @config, @final, @updated)
         ON CONFLICT(path) DO UPDATE SET study = excluded.study, experiment = excluded.experiment, loss = excluded.loss,
           variant = excluded.variant, data = excluded.data, seed = excluded.seed, steps = excluded.steps, status = excluded.status,
           elapsed = excluded.elapsed, config = excluded.config, final = excluded.final, updated = excluded.updated`,
      )
      .run({ ...row, config: JSON.stringify(row.config), final: row.final ? JSON.stringify(row.final) : null });
  }

  /** Indexes one run folder (after a run ends, or to record one that was killed). */
  index(dir: string, tag: Tag = {}): RunRow | null {
    const row = readRunFolder(dir, tag);
    if (row) this.upsert(row);
    return row;
  }

  /** Recreates the index from every run folder under `roots` (recursively); returns the count. */
  rebuild(roots: string[]): number {
    const rows: RunRow[] = [];
    const walk = (dir: string, depth: number) => {
      const row = readRunFolder(dir);
      if (row) {
        rows.push(row);
        return;
      }
      if (depth > 6) return;
      let entries: string[] = [];
      try {
        entries = readdirSync(dir);
      } catch {
        return;
      }
      for (const e of entries) {
        const sub = join(dir, e);
        try {
          if (statSync(sub).isDirectory()) walk(sub, depth + 1);
        } catch {
          /* vanished meanwhile */
        }
      }
    };
    for (const root of roots) {
      if (!existsSync(root)) throw new InputError(`${root}: no such folder to index`);
      walk(resolve(root), 0);
    }
    this.db.transaction(() => {
      this.db.exec('DELETE FROM runs');
      for (const row of rows) this.upsert(row);
    })();
    return rows.length;
  }

  list(filter: RunFilter = {}): RunRow[] {
    const where: string[] = [];
    const params: Record<string, string> = {};
    for (const key of ['loss', 'data', 'status', 'study', 'experiment'] as const) {
      if (filter[key] !== undefined) {
        where.push(`${key} = @${key}`);
        params[key] = filter[key]!;
      }
    }
    const sql = `SELECT * FROM runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY study, experiment, loss, data, seed, path`;
    return (this.db.prepare(sql).all(params) as Array<Record<string, unknown>>).map((r) => ({
      ...(r as unknown as RunRow),
      config: JSON.parse(r.config as string),
      final: r.final ? JSON.parse(r.final as string) : null,
    }));
  }

  get(path: string): RunRow | null {
    const r = this.db.prepare('SELECT * FROM runs WHERE path = ?').get(resolve(path)) as Record<string, unknown> | undefined;
    if (!r) return null;
    return { ...(r as unknown as RunRow), config: JSON.parse(r.config as string), final: r.final ? JSON.parse(r.final as string) : null };
  }

  close(): void {
    this.db.close();
  }
}
