/**
 * A finished run as one small text file — config.json, summary.json, study.json and every
 * metrics row, without checkpoints or pictures — so that a long study's results can be committed
 * and carried to another machine or checkout, where the run folder is restored from it instead of
 * trained again. Format (one metrics row per line, so that records diff well):
 *
 *   {"format":"gankit-run-record","version":1,"config":{…},"summary":{…},"tag":{…},"metrics":[
 *   {…row…},
 *   …]}
 *
 * A record describes the folder's results only; a restored folder has no checkpoint, so it can be
 * read, indexed and reported, not resumed or sampled.
 */
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { makeFolder, writeFileAtomic } from '../io/atomic.js';
import { RunFolder } from './folder.js';
import type { RunSummary, RunTag } from './folder.js';
import { formatMetricsRow } from './metrics.js';
import type { MetricsRow } from './metrics.js';

const FORMAT = 'gankit-run-record';
const VERSION = 1;

export interface RunRecord {
  config: Record<string, unknown>;
  summary: RunSummary;
  tag: RunTag;
  metrics: MetricsRow[];
}

/** The record of a run folder whose run has ended (finished or diverged); null while it has not. */
export function readRunAsRecord(dir: string): RunRecord | null {
  const folder = new RunFolder(dir);
  const summary = folder.endedSummary();
  if (!folder.isRun() || !summary) return null;
  return { config: folder.readConfig(), summary, tag: folder.readTag(), metrics: folder.readMetrics() };
}

export function formatRunRecord(r: RunRecord): string {
  const head = JSON.stringify({ format: FORMAT, version: VERSION, config: r.config, summary: r.summary, tag: r.tag });
  const rows = r.metrics.map((row) => formatMetricsRow(row).trimEnd());
  return `${head.slice(0, -1)},"metrics":[\n${rows.join(',\n')}\n]}\n`;
}

/** Parses a record file; one error naming the file and what is wrong. */
export function parseRunRecord(text: string, file: string): RunRecord {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: malformed run record (${(e as Error).message})`);
  }
  if (parsed?.format !== FORMAT || parsed.version !== VERSION) throw new InputError(`${file}: not a gankit run record (format ${JSON.stringify(parsed?.format)}, version ${JSON.stringify(parsed?.version)}; want ${FORMAT} ${VERSION})`);
  const { config, summary, tag, metrics } = parsed as unknown as RunRecord;
  const bad = [
    (typeof config !== 'object' || config === null) && 'config',
    (typeof summary !== 'object' || summary === null || typeof summary.status !== 'string') && 'summary',
    !Array.isArray(metrics) && 'metrics',
  ].filter(Boolean);
  if (bad.length) throw new InputError(`${file}: run record without a valid ${bad.join(', ')}`);
  return { config, summary, tag: tag ?? {}, metrics };
}

/** Writes the folder's record to `file` (atomically) when its run has ended; returns whether it did. */
export function saveRunRecord(dir: string, file: string): boolean {
  const r = readRunAsRecord(dir);
  if (!r) return false;
  const text = formatRunRecord(r);
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return true;
  writeFileAtomic(file, text);
  return true;
}

/** Recreates a run folder's results (config, metrics, summary, tag) from a record file (`r`: the file, already parsed). */
export function restoreRunRecord(file: string, dir: string, r: RunRecord = parseRunRecord(readFileSync(file, 'utf8'), file)): RunRecord {
  makeFolder(dir);
  const folder = new RunFolder(dir);
  folder.writeConfig(r.config);
  folder.writeMetrics(r.metrics);
  folder.writeTag(r.tag);
  // The summary last: it is what marks the run as done.
  folder.writeSummary(r.summary);
  return r;
}
