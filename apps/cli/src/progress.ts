import type { CommandIO } from './command.js';

/** A progress bar on stderr: redrawn in place on a terminal, a line per 10% otherwise. */
export interface Progress {
  update(done: number, detail?: string): void;
  finish(detail?: string): void;
}

export function createProgress(io: CommandIO, label: string, total: number, enabled: boolean): Progress {
  const start = performance.now();
  let lastDecile = -1;
  let lastDraw = 0;
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

function formatSeconds(s: number): string {
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
