/**
 * The runs database: one SQLite row per run folder (config, seed, status, final metrics, path),
 * so that runs can be listed, filtered and compared. The folders are the truth: the database is
 * an index that `rebuild` recreates from them at any time, so a worker killed mid-run loses no
 * row — its folder is indexed as 'incomplete' (config.json, no summary.json) and a re-run that
 * finishes it updates the same row.
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { inspectRunFolder, readRunFolder, RunRow } from './row.js';
import type { RunTag as Tag } from './folder.js';

export { readRunFolder } from './row.js';
export type { RunRow } from './row.js';

export interface RunFilter {
  loss?: string;
  data?: string;
  status?: string;
  study?: string;
  experiment?: string;
}

/** A stored row back as a RunRow (config and final metrics are JSON in the table). */
const fromDb = (r: Record<string, unknown>): RunRow => ({ ...(r as unknown as RunRow), config: JSON.parse(r.config as string), final: r.final ? JSON.parse(r.final as string) : null });

/** Refuses a folder to index that is not there (before a database is made for it). */
export function checkRoots(roots: string[]): void {
  for (const root of roots) if (!existsSync(root)) throw new InputError(`${root}: no such folder to index`);
}

/** What `rebuild` did: the folders indexed, and those it could not read, with the reason. */
export interface RebuildResult {
  indexed: number;
  unreadable: Array<{ path: string; reason: string }>;
}

/** The columns of gankit's `runs` table: a database whose `runs` table has others is not gankit's. */
const COLUMNS = ['path', 'study', 'experiment', 'loss', 'variant', 'data', 'seed', 'steps', 'status', 'elapsed', 'config', 'final', 'updated'];

/**
 * A database opened for listing. SQLite cannot open a WAL database read-only where it may not
 * make its -shm file (a read-only disk, another user's folder); then the file is read into memory (as a rollback-journal
 * database: header bytes 18–19) and listed from there — no writer can be at work on such a disk.
 */
function openReadOnly(file: string): Database.Database {
  try {
    // Read-write where it can be (its close then folds the WAL back and removes -wal and -shm); nothing is written.
    const db = new Database(file, { fileMustExist: true });
    try {
      db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
    } catch (e) {
      db.close();
      throw e;
    }
    return db;
  } catch (e) {
    // CANTOPEN on a read-only disk; READONLY_DIRECTORY (and kin) in a folder this user cannot write.
    if (!/^SQLITE_(CANTOPEN|READONLY)/.test((e as { code?: string }).code ?? '') || !existsSync(file) || statSync(file).isDirectory()) throw e;
    const bytes = readFileSync(file);
    if (bytes.length >= 20) bytes[18] = bytes[19] = 1;
    return new Database(bytes, { readonly: true });
  }
}

export class RunsDb {
  private readonly db: Database.Database;

  /**
   * Opens (or makes) the runs database. `readonly`: for listing only — nothing is written, so a
   * database on a read-only disk (or another user's) can be listed. A SQLite file that is not a
   * runs database (other tables, or a `runs` table of other columns) is refused before anything is
   * written to it.
   */
  constructor(
    readonly file: string,
    { readonly = false }: { readonly?: boolean } = {},
  ) {
    try {
      this.db = readonly ? openReadOnly(file) : new Database(file);
    } catch (e) {
      throw new InputError(`${file}: cannot open the runs database (${(e as Error).message})`);
    }
    const tables = this.guard('cannot read the runs database', () => (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
    const columns = tables.includes('runs') ? this.guard('cannot read the runs database', () => (this.db.prepare('PRAGMA table_info(runs)').all() as Array<{ name: string }>).map((c) => c.name)) : [];
    const foreign = tables.length > 0 && (!tables.includes('runs') || COLUMNS.some((c) => !columns.includes(c)));
    if (foreign) {
      this.db.close();
      throw new InputError(`${file}: not a gankit runs database (it holds ${tables.includes('runs') ? 'a runs table of other columns' : `the tables ${tables.slice(0, 5).join(', ')}`}); choose another --db`);
    }
    if (readonly) {
      if (!tables.includes('runs')) {
        this.db.close();
        throw new InputError(`${file}: not a gankit runs database (it is empty); make one with gankit runs --db ${file} --rebuild RUNS_DIR`);
      }
      return;
    }
    this.guard('cannot set up the runs database', () => {
      this.db.pragma('journal_mode = WAL');
      this.db.exec(`CREATE TABLE IF NOT EXISTS runs (
      path TEXT PRIMARY KEY,
      study TEXT, experiment TEXT,
      loss TEXT NOT NULL, variant TEXT, data TEXT NOT NULL, seed INTEGER NOT NULL, steps INTEGER NOT NULL,
      status TEXT NOT NULL, elapsed REAL,
      config TEXT NOT NULL, final TEXT, updated TEXT NOT NULL
    )`);
    });
  }

  /** Every database error as one line naming the file (not a SQLite stack trace). */
  private guard<T>(what: string, work: () => T): T {
    try {
      return work();
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`${this.file}: ${what} (${(e as Error).message})`);
    }
  }

  upsert(row: RunRow): void {
    this.guard(`cannot store ${row.path}`, () => this.upsertRow(row));
  }

  private upsertRow(row: RunRow): void {
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

  /** Recreates the index from every readable run folder under `roots` (recursively); the unreadable ones are listed, not fatal. */
  rebuild(roots: string[]): RebuildResult {
    const rows: RunRow[] = [];
    const unreadable: RebuildResult['unreadable'] = [];
    // Each folder once, by its real path: a link back up (a symlink loop) would index a run again and again.
    const visited = new Set<string>();
    const walk = (dir: string, depth: number) => {
      let real: string;
      try {
        real = realpathSync(dir);
      } catch {
        return; // vanished meanwhile, or a dangling link
      }
      if (visited.has(real)) return;
      visited.add(real);
      const seen = inspectRunFolder(dir);
      if (seen) {
        if ('row' in seen) rows.push(seen.row);
        else unreadable.push({ path: dir, reason: seen.unreadable });
        return;
      }
      if (depth > 6) return;
      let entries: string[] = [];
      try {
        entries = readdirSync(dir);
      } catch (e) {
        unreadable.push({ path: dir, reason: `cannot list the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
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
    checkRoots(roots);
    for (const root of roots) walk(resolve(root), 0);
    this.guard('cannot rebuild the index', () =>
      this.db.transaction(() => {
        this.db.exec('DELETE FROM runs');
        for (const row of rows) this.upsertRow(row);
      })(),
    );
    return { indexed: rows.length, unreadable };
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
    return this.guard('cannot list the runs', () => (this.db.prepare(sql).all(params) as Array<Record<string, unknown>>).map(fromDb));
  }

  get(path: string): RunRow | null {
    return this.guard(`cannot read ${path}`, () => {
      const r = this.db.prepare('SELECT * FROM runs WHERE path = ?').get(resolve(path)) as Record<string, unknown> | undefined;
      return r ? fromDb(r) : null;
    });
  }

  close(): void {
    this.guard('cannot close the runs database', () => this.db.close());
  }
}
