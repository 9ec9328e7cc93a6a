import type { CommandIO } from './command.js';

/**
 * Seconds after which a run that has not reached 10% prints a first line (not on a terminal, where the bar is
 * redrawn from the start): a long run shows its scale, with an estimated time, early.
 */
export const FIRST_LINE_SECONDS = 2;

/**
 * A progress bar on stderr: redrawn in place on a terminal; otherwise a line per 10%, and one more after
 * {@link FIRST_LINE_SECONDS} if 10% is not reached by then.
 */
export interface Progress {
  update(done: number, detail?: string): void;
  finish(detail?: string): void;
}

export function createProgress(io: CommandIO, label: string, total: number, enabled: boolean): Progress {
  const start = performance.now();
  let lastDecile = -1;
  let lastDraw = 0;
  let early = false;
  const line = (done: number, detail?: string) => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const width = 24,
      fill = Math.round(frac * width);
    const elapsed = (performance.now() - start) / 1000;
    const eta = frac > 0 && frac < 1 ? ` eta ${formatSeconds((elapsed * (1 - frac)) / frac)}` : '';
    return (
      `${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(Math.round(frac * 100)).padStart(3)}% ` +
      `${done}/${total}${detail ? ` ${detail}` : ''} ${formatSeconds(elapsed)}${eta}`
    );
  };
  return {
    update(done, detail) {
      if (!enabled) return;
      if (io.stderrIsTTY) {
        const now = performance.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        io.stderr(`\r${line(done, detail)}\x1b[K`);
      } else {
        // A line per 10% from 10% on: a run that fails early prints its error line alone.
        const decile = Math.floor((10 * done) / Math.max(1, total));
        if (decile > Math.max(lastDecile, 0)) {
          lastDecile = decile;
          io.stderr(`${line(done, detail)}\n`);
        } else if (!early && lastDecile < 1 && done > 0 && performance.now() - start >= 1000 * FIRST_LINE_SECONDS) {
          early = true;
          io.stderr(`${line(done, detail)}\n`);
        }
      }
    },
    finish(detail) {
      if (!enabled) return;
      if (io.stderrIsTTY) io.stderr(`\r${line(total, detail)}\x1b[K\n`);
      else if (lastDecile < 10) io.stderr(`${line(total, detail)}\n`);
    },
  };
}

/** `4.2s`, `3m07s`, `2h05m`, `11d04h`. */
export function formatSeconds(s: number): string {
  const two = (v: number) => String(v).padStart(2, '0');
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.round(s / 60);
  if (s < 3600) return `${Math.floor(s / 60)}m${two(Math.round(s % 60))}s`;
  const h = Math.round(s / 3600);
  if (s < 86400) return `${Math.floor(m / 60)}h${two(m % 60)}m`;
  return `${Math.floor(h / 24)}d${two(h % 24)}h`;
}
