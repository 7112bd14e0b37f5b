/**
 * A progress bar on stderr: steps, steps/s, ETA and the current losses. On a terminal it redraws
 * one line; otherwise (CI, a pipe) it prints a line every 10% and whenever metrics were logged
 * at such a point, so logs stay readable.
 */
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
