import { describe, expect, it } from 'vitest';
import { asyncRunner, bestOf, measureInterleaved, median, syncRunner, type Runner } from './timing.js';

/** A fake clock that only the fake work advances: timing becomes exact and instant. */
function fakeClock() {
  let t = 0;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('timing', () => {
  it('syncRunner measures the rate of a call that takes a known time', () => {
    const c = fakeClock();
    const r = syncRunner('x', () => c.advance(2), 10, c.now); // 10 units per 2 ms call = 5000 units/s
    expect(r.warmup(100)).toBeCloseTo(2);
    expect(r.round(50)).toBeCloseTo(5000);
  });

  it('warm-up and rounds run at least one call however slow it is', () => {
    const c = fakeClock();
    let calls = 0;
    const r = syncRunner(
      'slow',
      () => {
        calls++;
        c.advance(5000);
      },
      1,
      c.now,
    );
    r.warmup(100);
    expect(calls).toBe(1);
    expect(r.round(100)).toBeCloseTo(0.2);
    expect(calls).toBe(2);
  });

  it('measureInterleaved keeps the best round, interleaves runners and limits slow ones to the budget', async () => {
    const c = fakeClock();
    const order: string[] = [];
    let slowCall = 0;
    // 'noisy' gets slower every other call: its best round is its fast one.
    const noisy: Runner = syncRunner(
      'noisy',
      () => {
        order.push('noisy');
        c.advance(++slowCall % 2 ? 1 : 3);
      },
      1,
      c.now,
    );
    const slow = syncRunner(
      'slow',
      () => {
        order.push('slow');
        c.advance(1000);
      },
      1,
      c.now,
    );
    const res = await measureInterleaved([noisy, slow], { warmupMs: 10, roundMs: 1, rounds: 4, budgetMs: 2000 });
    const n = res.noisy,
      s = res.slow;
    expect('best' in n && n.rounds.length).toBe(4);
    expect(bestOf(n)).toBeCloseTo(1000); // 1 ms calls
    expect('best' in s && s.rounds.length).toBe(2); // 2000 ms budget / 1000 ms calls
    expect(bestOf(s)).toBeCloseTo(1);
    // After the warm-ups the rounds alternate: noisy, slow, noisy, slow, noisy, noisy.
    const rounds = order.slice(order.lastIndexOf('slow') - 2);
    expect(rounds.filter((x) => x === 'slow').length).toBeGreaterThan(0);
    expect(order.indexOf('slow')).toBeLessThan(order.lastIndexOf('noisy'));
  });

  it('a runner that throws gets an error and the others still run', async () => {
    const c = fakeClock();
    const bad: Runner = {
      name: 'bad',
      warmup: () => {
        throw new Error('boom');
      },
      round: () => 0,
    };
    const good = asyncRunner('good', async () => c.advance(1), 1, c.now);
    const res = await measureInterleaved([bad, good], { warmupMs: 5, roundMs: 5, rounds: 2 });
    expect(res.bad).toEqual({ error: 'boom' });
    expect(bestOf(res.good)).toBeCloseTo(1000);
    expect(bestOf(res.bad)).toBeUndefined();
  });

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
