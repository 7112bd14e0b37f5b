/**
 * What a training command shows while it runs and when it ends. The progress bar on stderr: steps,
 * steps/s, ETA and the current losses. On a terminal it redraws one line; otherwise (CI, a pipe)
 * it prints a line every 10% and whenever metrics were logged at such a point, so logs stay
 * readable.
 */
import { join } from 'node:path';
import { metricColumns, progressText, RUN_FILES } from '../runfolder/index.js';
import type { Progress, RunResult } from '../runner/run.js';
import type { RunConfig } from '../train/config.js';
import { checksumLine } from './runOutput.js';

export class ProgressBar {
  private lastPrintedTenth = -1;
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    public total: number,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  update(step: number, stepsPerSecond: number, info: string): void {
    const fraction = Math.min(1, step / this.total);
    const eta = stepsPerSecond > 0 ? (this.total - step) / stepsPerSecond : 0;
    const text = `${String(step).padStart(String(this.total).length)}/${this.total} ${stepsPerSecond.toFixed(1)} steps/s ETA ${formatSeconds(eta)}  ${info}`;
    if (this.tty) {
      const width = 24;
      const filled = Math.round(fraction * width);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * fraction).toFixed(0).padStart(3)}% ${text}`;
      const columns = this.stream.columns ?? 120;
      this.stream.write(`\r${line.slice(0, columns - 1).padEnd(Math.min(columns - 1, line.length))}\x1b[K`);
    } else {
      const tenth = Math.floor(fraction * 10);
      if (tenth > this.lastPrintedTenth) {
        this.lastPrintedTenth = tenth;
        this.stream.write(`${(100 * fraction).toFixed(0).padStart(3)}% ${text}\n`);
      }
    }
  }

  finish(): void {
    if (this.tty) this.stream.write('\n');
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  const sec = Math.round(s % 60);
  return `${m}:${String(sec).padStart(2, '0')}`;
}

/** The progress bar of a training run on stderr (nothing when quiet): the step's columns that have a progress format (losses, W, L_I, …) and the latest quality measure. */
export function progressReporter(quiet: boolean, total: number): { onProgress: (p: Progress) => void; done: () => void } {
  if (quiet) return { onProgress: () => {}, done: () => {} };
  const bar = new ProgressBar(process.stderr, total);
  let quality = ''; // the latest logged quality, shown until the next one
  return {
    onProgress: (p) => {
      const measured: Record<string, unknown> = { ...p.stats, ...p.stats.diagnostics };
      const parts = metricColumns().flatMap((c) => progressText(c, measured[c.name]) ?? []);
      if (p.quality) quality = `${p.quality} (step ${p.step})`; // shown until the next one, with the step it was measured at
      if (quality) parts.push(quality);
      bar.update(p.step, p.stepsPerSecond, parts.join('  '));
    },
    done: () => bar.finish(),
  };
}

/** What `gankit train` and `gankit resume` print when a run ends. */
export function finishedLines(result: RunResult, config: RunConfig): string {
  return [
    `gankit: finished ${result.steps} steps in ${result.elapsed.toFixed(1)} s → ${result.dir}`,
    ...result.description.map((line) => `  ${line}`),
    `  pictures: ${join(result.dir, RUN_FILES.samples)}/, ${join(result.dir, RUN_FILES.metricsPlot)}`,
    ...(result.checksum ? [`  ${checksumLine(result.checksum, config)}`] : []),
  ].join('\n');
}
