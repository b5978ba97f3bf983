/**
 * The progress `import` shows on a terminal: one line per file, rewritten in place while it
 * is read (records so far and records/s), then left as the file's final line with its rate.
 */
import type { Progress } from '../store/records-store.ts';

/** How often the line is redrawn: often enough to look alive, rarely enough to cost nothing. */
const REDRAW_MS = 200;

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export class ImportProgress {
  private since: number;
  private drawnAt = Number.NEGATIVE_INFINITY;

  /**
   * @param write raw text to the terminal (no newline added)
   * @param now the clock, in milliseconds
   */
  constructor(
    private readonly write: (text: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.since = now();
  }

  /** Clears a line left half-drawn, so a failure's message starts on a clean line. */
  clear(): void {
    this.write('\r\x1b[K');
  }

  /** Takes one progress report (WriteOptions.onProgress). */
  update(p: Progress): void {
    const now = this.now();
    const seconds = (now - this.since) / 1000;
    const rate = seconds > 0 ? `${number.format(p.records / seconds)} records/s` : '';
    const records = `${number.format(p.records)} records`;
    if (p.phase === 'done') {
      const took = p.records === 0 ? records : `${records} in ${seconds.toFixed(1)} s, ${rate}`;
      this.write(`\r\x1b[K${p.file}: ${took}\n`);
      this.since = now;
      this.drawnAt = Number.NEGATIVE_INFINITY;
      return;
    }
    if (p.phase === 'reading' && now - this.drawnAt < REDRAW_MS) return;
    this.drawnAt = now;
    const what = p.phase === 'reading' ? `${records}, ${rate}` : `${records} read; merging`;
    this.write(`\r\x1b[K${p.file}: ${what}`);
  }
}
