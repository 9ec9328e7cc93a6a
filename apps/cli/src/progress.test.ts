// The progress bar off a terminal: a line per 10%, and a first line early for a run that is slow to reach 10%.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress, FIRST_LINE_SECONDS, formatSeconds } from './progress.js';

afterEach(() => vi.restoreAllMocks());

function bar(total: number) {
  let clock = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => clock);
  const lines: string[] = [];
  const p = createProgress({ stdout: () => {}, stderr: (t) => lines.push(t), stderrIsTTY: false }, 'train', total, true);
  return { p, lines, at: (seconds: number) => (clock = 1000 * seconds) };
}

describe('progress off a terminal', () => {
  it('prints nothing before 10% during the first seconds, then one line with the estimated time', () => {
    const { p, lines, at } = bar(1_000_000_000);
    at(1);
    p.update(800, 'loss 1.0000');
    expect(lines).toEqual([]);
    at(FIRST_LINE_SECONDS);
    p.update(1600, 'loss 0.9000');
    // 1600 steps in 2 s: 1e9 steps take about 14.5 days.
    expect(lines).toEqual(['train [........................]   0% 1600/1000000000 loss 0.9000 2.0s eta 14d11h\n']);
    at(10);
    p.update(8000);
    expect(lines).toHaveLength(1); // once
  });

  it('a run that reaches 10% within the first seconds prints its lines per 10% only', () => {
    const { p, lines, at } = bar(100);
    for (let step = 1; step <= 100; step++) {
      at(step * 0.05);
      p.update(step);
    }
    p.finish();
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^train \[##\.+\] {2}10% 10\/100 /);
  });
});

describe('formatSeconds', () => {
  it('seconds, minutes, hours, days', () => {
    expect([4.21, 187, 7500, 86400 * 11 + 4 * 3600].map(formatSeconds)).toEqual(['4.2s', '3m07s', '2h05m', '11d04h']);
  });
});
