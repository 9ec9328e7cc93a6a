/**
 * Timing: every implementation of one benchmark is a {@link Runner}; {@link measureInterleaved} warms
 * each up (about 1 s), then times them in interleaved rounds (A B C A B C ...) and keeps the best round
 * of each. On a shared, noisy machine the best round is the least disturbed one, and interleaving makes
 * the implementations see the same background load, so their ratio is the figure to quote.
 */

/** One implementation of a benchmark, timed in rounds. Rates are units per second. */
export interface Runner {
  name: string;
  /** Runs for about `ms` (at least one call); returns the measured time of one call in ms. */
  warmup(ms: number): Promise<number> | number;
  /** One timed round of about `ms` (at least one call); returns units per second. */
  round(ms: number): Promise<number> | number;
}

export interface MeasureOptions {
  /** Warm-up per runner, ms (default 1000). */
  warmupMs?: number;
  /** Length of one timed round, ms (default 400). */
  roundMs?: number;
  /** Timed rounds per runner (default 5). */
  rounds?: number;
  /**
   * Time budget of the timed rounds of one runner, ms (default rounds * roundMs * 2): a runner whose
   * single call is slow gets fewer rounds (at least `minRounds`).
   */
  budgetMs?: number;
  /** Default 1. */
  minRounds?: number;
}

/** Result of one runner: best and median rate (units/s) over its rounds, the rounds, and the time of a call. */
export interface Measurement {
  best: number;
  median: number;
  rounds: number[];
  callMs: number;
}

export type Clock = () => number;

const defaultClock: Clock = () => performance.now();

/** A runner for a synchronous function doing `units` units of work per call. */
export function syncRunner(name: string, fn: () => unknown, units = 1, clock: Clock = defaultClock): Runner {
  let callMs = 1;
  return {
    name,
    warmup(ms) {
      const t0 = clock();
      let calls = 0;
      do {
        fn();
        calls++;
      } while (clock() - t0 < ms);
      callMs = Math.max(1e-6, (clock() - t0) / calls);
      return callMs;
    },
    round(ms) {
      const n = Math.max(1, Math.round(ms / callMs));
      const t0 = clock();
      for (let i = 0; i < n; i++) fn();
      const dt = Math.max(1e-6, clock() - t0);
      callMs = dt / n;
      return (n * units) / (dt / 1000);
    },
  };
}

/** A runner for an asynchronous function (e.g. a whole sampling run on worker threads). */
export function asyncRunner(name: string, fn: () => Promise<unknown>, units = 1, clock: Clock = defaultClock): Runner {
  let callMs = 1;
  return {
    name,
    async warmup(ms) {
      const t0 = clock();
      let calls = 0;
      do {
        await fn();
        calls++;
      } while (clock() - t0 < ms);
      callMs = Math.max(1e-6, (clock() - t0) / calls);
      return callMs;
    },
    async round(ms) {
      const n = Math.max(1, Math.round(ms / callMs));
      const t0 = clock();
      for (let i = 0; i < n; i++) await fn();
      const dt = Math.max(1e-6, clock() - t0);
      callMs = dt / n;
      return (n * units) / (dt / 1000);
    },
  };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Warms every runner up, then times them in interleaved rounds. A runner whose calls are slow (so that
 * its rounds would exceed the budget) stops after fewer rounds. A runner that throws gets an `error`.
 */
export async function measureInterleaved(
  runners: readonly Runner[],
  options: MeasureOptions = {},
): Promise<Record<string, Measurement | { error: string }>> {
  const warmupMs = options.warmupMs ?? 1000,
    roundMs = options.roundMs ?? 400,
    rounds = options.rounds ?? 5;
  const budget = options.budgetMs ?? rounds * roundMs * 2,
    minRounds = Math.max(1, options.minRounds ?? 1);
  const state = new Map<string, { callMs: number; rates: number[]; limit: number; error?: string }>();
  for (const r of runners) {
    try {
      const callMs = await r.warmup(warmupMs);
      // A round takes max(roundMs, callMs): fit as many rounds as the budget allows.
      const limit = Math.max(minRounds, Math.min(rounds, Math.floor(budget / Math.max(roundMs, callMs))));
      state.set(r.name, { callMs, rates: [], limit });
    } catch (e) {
      state.set(r.name, { callMs: NaN, rates: [], limit: 0, error: (e as Error).message });
    }
  }
  for (let i = 0; i < rounds; i++) {
    for (const r of runners) {
      const s = state.get(r.name)!;
      if (s.error !== undefined || s.rates.length >= s.limit) continue;
      try {
        s.rates.push(await r.round(roundMs));
      } catch (e) {
        s.error = (e as Error).message;
      }
    }
  }
  const out: Record<string, Measurement | { error: string }> = {};
  for (const r of runners) {
    const s = state.get(r.name)!;
    out[r.name] =
      s.error !== undefined
        ? { error: s.error }
        : { best: Math.max(...s.rates), median: median(s.rates), rounds: s.rates, callMs: s.callMs };
  }
  return out;
}

/** The best rate of a measurement, or undefined when it failed or was skipped. */
export function bestOf(m: Measurement | { error: string } | undefined): number | undefined {
  return m && 'best' in m ? m.best : undefined;
}
