/** Markdown tables of a results document. */
import type { Results } from './results.js';
import { evaluationsSaved } from './samplers.js';
import { QUALITY_OURS, qualitySpeedup } from './quality.js';
import type { TrainRow } from './training.js';

export function fmtRate(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (v >= 100) return v.toFixed(0);
  return v.toPrecision(3);
}

export function fmtRatio(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)}x`;
}

export function fmtBytes(v: number): string {
  const a = Math.abs(v),
    s = v < 0 ? '-' : '';
  if (a >= 2 ** 20) return `${s}${(a / 2 ** 20).toFixed(1)} MiB`;
  if (a >= 2 ** 10) return `${s}${(a / 2 ** 10).toFixed(1)} KiB`;
  return `${s}${a} B`;
}

/** A Markdown table; cells are escaped for pipes. */
function fmtMacs(v: number): string {
  return `${(v / 1e6).toPrecision(3)}M`;
}

export function table(head: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${head.map(esc).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? a / b : null);

function trainingTable(rows: TrainRow[]): string {
  const head = [
    'objective',
    'model',
    'WASM 1 core',
    'WASM 2 workers',
    'tfjs-wasm',
    'tfjs-cpu',
    'PyTorch 1 thr',
    'PyTorch 2 thr',
    'WASM / tfjs-wasm',
    'WASM / tfjs-cpu',
    'WASM / PyTorch 1 thr',
    'WASM 2w / PyTorch best',
  ];
  return table(
    head,
    rows.map((r) => {
      const x = r.rates,
        torchBest = Math.max(x['torch-1'] ?? 0, x['torch-2'] ?? 0) || null;
      return [
        r.config.objective,
        r.config.kind,
        fmtRate(x.wasm),
        fmtRate(x['wasm-2w']),
        fmtRate(x['tfjs-wasm']),
        fmtRate(x['tfjs-cpu']),
        fmtRate(x['torch-1']),
        fmtRate(x['torch-2']),
        fmtRatio(ratio(x.wasm, x['tfjs-wasm'])),
        fmtRatio(ratio(x.wasm, x['tfjs-cpu'])),
        fmtRatio(ratio(x.wasm, x['torch-1'])),
        fmtRatio(ratio(x['wasm-2w'], torchBest)),
      ];
    }),
  );
}

/** PyTorch's best thread count for a row: [rate, threads]. */
function torchBest(x: Record<string, number | null | undefined>): [number | null, string] {
  const one = x['torch-1'] ?? 0,
    two = x['torch-2'] ?? 0;
  if (!one && !two) return [null, '-'];
  return one >= two ? [one, '1'] : [two, '2'];
}

/** The whole machine: WASM on every core (the threaded core) against PyTorch at its best thread count. */
function wholeMachineTables(r: Results): string[] {
  const T = r.machine.threads ?? r.machine.cores;
  const out: string[] = [];
  const train = (r.training ?? []).filter((t) => t.rates['wasm-threads'] != null);
  if (train.length) {
    out.push(
      table(
        [
          'objective',
          'model',
          'width',
          'batch',
          `WASM ${T} threads`,
          'WASM 1 core',
          'threads / 1 core',
          'PyTorch best',
          'its threads',
          'WASM threads / PyTorch best',
          'split trials won',
        ],
        train.map((t) => {
          const x = t.rates,
            [best, threads] = torchBest(x);
          return [
            t.config.objective,
            t.config.kind,
            String(t.config.width),
            String(t.config.batch),
            fmtRate(x['wasm-threads']),
            fmtRate(x.wasm),
            fmtRatio(ratio(x['wasm-threads'], x.wasm)),
            fmtRate(best),
            threads,
            fmtRatio(ratio(x['wasm-threads'], best)),
            t.splitTrials ? `${t.splitTrials.splitWins} of ${t.splitTrials.trials}` : '-',
          ];
        }),
      ),
      '',
    );
  }
  const samp = (r.sampling ?? []).filter((s) => s.rates['wasm-threads'] != null);
  if (samp.length) {
    out.push(
      table(
        [
          'sampling (particle-steps/s)',
          `WASM ${T} threads`,
          'WASM 1 worker',
          'threads / 1 worker',
          'PyTorch best',
          'its threads',
          'WASM threads / PyTorch best',
        ],
        samp.map((s) => {
          const x = s.rates,
            [best, threads] = torchBest(x);
          return [
            `${s.kind}, ${s.n} particles`,
            fmtRate(x['wasm-threads']),
            fmtRate(x['wasm-1w']),
            fmtRatio(ratio(x['wasm-threads'], x['wasm-1w'])),
            fmtRate(best),
            threads,
            fmtRatio(ratio(x['wasm-threads'], best)),
          ];
        }),
      ),
      '',
    );
  }
  return out;
}

export function markdown(r: Results): string {
  const m = r.machine,
    out: string[] = [];
  out.push('# Benchmarks (issues 7 and 16)', '');
  out.push(
    `Measured ${r.date} on ${m.cpu}, ${m.cores} cores (shared with other jobs; load average ${m.loadAverage.toFixed(1)} at the start), ` +
      `${m.os}, Node ${m.node}` +
      `${m.torch ? `, PyTorch ${m.torch} (BLAS: ${m.blas})` : ''}${m.chromium ? `, Chromium ${m.chromium}` : ''}.`,
  );
  out.push(
    `Command: \`${r.command}\`${r.quick ? ' (quick: fewer cases and shorter rounds)' : ''}; ` +
      `${r.seconds ? `${(r.seconds / 60).toFixed(1)} minutes. ` : ''}` +
      'Implementations are timed side by side in interleaved rounds after a warm-up; each figure is the best round. The machine is ' +
      'shared and noisy: quote the ratios.' +
      (r.load
        ? ` Load average when each part started: ${Object.entries(r.load)
            .map(([k, v]) => `${k} ${v.toFixed(1)}`)
            .join(', ')} (2 cores: above 1, other jobs take CPU time, which hurts the two-core figures most).`
        : ''),
    '',
  );
  if (r.targets?.length) {
    out.push('## Targets', '');
    out.push(
      table(
        ['target', 'goal', 'measured (worst case)', 'where', 'verdict'],
        r.targets.map((t) => [
          t.target,
          t.target.includes('%') ? `${(100 * t.goal).toFixed(0)}%` : t.target.startsWith('flat') ? 'flat' : fmtRatio(t.goal),
          t.value === null
            ? '-'
            : t.target.includes('%')
              ? `${(100 * t.value).toFixed(0)}%`
              : t.target.startsWith('flat')
                ? t.met
                  ? 'flat'
                  : 'grows'
                : fmtRatio(t.value),
          t.where || '-',
          t.verdict,
        ]),
      ),
      '',
    );
  }
  if (r.kernels) {
    const s = r.kernels.simd ?? {},
      sc = r.kernels.scalar ?? {};
    out.push('## Dense kernels (GFLOP/s)', '');
    out.push(
      table(
        ['kernel', 'SIMD', 'SIMD % of ceiling', 'scalar', 'SIMD / scalar'],
        Object.keys(s).map((k) => [
          k === 'ceiling' ? 'f32x4 mul+add ceiling' : k,
          fmtRate(s[k]),
          k === 'ceiling' || !s[k] || !s.ceiling ? '' : `${((100 * s[k]!) / s.ceiling).toFixed(0)}%`,
          fmtRate(sc[k]),
          fmtRatio(ratio(s[k], sc[k])),
        ]),
      ),
      '',
    );
  }
  if (r.training?.length) {
    const groups = new Map<string, TrainRow[]>();
    for (const t of r.training) {
      const key = `MLP 2-${t.config.width}-${t.config.width}-${t.config.width}, batch ${t.config.batch}`;
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
    out.push(
      '## Training steps/s',
      '',
      'One step = batch gather + loss + parameter gradient + Adam. WASM 2 workers = data-parallel shards on two cores.',
      '',
    );
    for (const [k, rows] of groups) out.push(`### ${k}`, '', trainingTable(rows), '');
  }
  if (r.trace?.length) {
    out.push('## Exact-trace cost vs dimension (steps/s, MLP d-128-128-128, batch 128)', '');
    out.push(
      table(
        ['objective', 'model', 'd', 'WASM 1 core', 'PyTorch 1 thr', 'PyTorch 2 thr', 'WASM / PyTorch 1 thr', 'WASM / PyTorch best'],
        r.trace.map((t) => {
          const x = t.rates;
          return [
            t.config.objective,
            t.config.kind,
            String(t.config.d),
            fmtRate(x.wasm),
            fmtRate(x['torch-1']),
            fmtRate(x['torch-2']),
            fmtRatio(ratio(x.wasm, x['torch-1'])),
            fmtRatio(ratio(x.wasm, Math.max(x['torch-1'] ?? 0, x['torch-2'] ?? 0) || null)),
          ];
        }),
      ),
      '',
    );
  }
  const whole = wholeMachineTables(r);
  if (whole.length) {
    out.push(
      `## Whole machine (WASM on all ${r.machine.threads ?? r.machine.cores} cores, the threaded core, ` +
        'against PyTorch at its best thread count)',
      '',
      "Split trials won: during the row, how many of the threaded core's trials (passes timed split and alone, the " +
        'faster kept) the split won; "-" when the row predates them.',
      '',
      ...whole,
    );
  }
  if (r.sampling?.length) {
    out.push(
      `## Sampling (particle-steps/s, annealed Langevin, ${r.sampling[0].levels} levels x ${r.sampling[0].stepsPerLevel} steps, ` +
        `${r.sampling[0].n} particles, MLP 2-128-128-128, conditioning 'both')`,
      '',
    );
    out.push(
      table(
        [
          'model',
          'WASM 1 worker',
          'WASM 2 workers',
          'PyTorch 1 thr',
          'PyTorch 2 thr',
          'WASM 1w / PyTorch 1 thr',
          '2 / 1 workers',
          'WASM 2w / PyTorch best',
        ],
        r.sampling.map((s) => {
          const x = s.rates;
          return [
            s.kind,
            fmtRate(x['wasm-1w']),
            fmtRate(x['wasm-2w']),
            fmtRate(x['torch-1']),
            fmtRate(x['torch-2']),
            fmtRatio(ratio(x['wasm-1w'], x['torch-1'])),
            fmtRatio(ratio(x['wasm-2w'], x['wasm-1w'])),
            fmtRatio(ratio(x['wasm-2w'], Math.max(x['torch-1'] ?? 0, x['torch-2'] ?? 0) || null)),
          ];
        }),
      ),
      '',
    );
  }
  if (r.threads?.rows.length) {
    const t = r.threads;
    out.push(
      '## Threads by the size of a pass (forward + reverse, MLP 2-W-W-W-2; fastest single pass)',
      '',
      `The threaded core with its pool attached (${r.machine.threads ?? 'all'} threads, every pass split) and detached (the caller ` +
        `alone), interleaved. Passes below core-math's SPLIT_MIN_WORK (${t.splitMinWork === null ? '-' : fmtMacs(t.splitMinWork)} ` +
        'multiply-adds) run on one thread; above it the pool by default times both ways and keeps the faster (its split trials).',
      '',
      table(
        [
          'width',
          'batch',
          'multiply-adds',
          'one thread (us)',
          'all threads (us)',
          'speed-up',
          'median of rounds',
          'passes split by default',
        ],
        t.rows.map((row) => [
          String(row.width),
          String(row.batch),
          fmtMacs(row.work),
          row.oneUs.toFixed(0),
          row.allUs.toFixed(0),
          fmtRatio(row.speedup),
          fmtRatio(row.medianSpeedup),
          t.splitMinWork === null ? '-' : row.work / 3 >= t.splitMinWork ? 'both' : (2 * row.work) / 3 >= t.splitMinWork ? 'reverse' : 'no',
        ]),
      ),
      '',
    );
  }
  if (r.samplers?.length) {
    const labels = Object.keys(r.samplers[0].results);
    // Rows of an earlier run (before the standard error) were the mean of 3 seeds; a partial rerun mixes them.
    const seeds = [...new Set(r.samplers.map((row) => row.seeds ?? 3))];
    const mixed = seeds.length > 1;
    out.push(
      '## Samplers: quality against score evaluations (continuous models, every default; fixed-bandwidth MMD²)',
      '',
      `Each cell: score evaluations per particle, MMD² (standardised units) of ${r.samplers[0].n} samples against as many ` +
        `held-out points, the mean over ${mixed ? `${seeds.join(' or ')} (the model column says which)` : seeds[0]} sampling seeds ± ` +
        'its standard error where measured (the data floor: over as many fresh draws of the data). Defaults unless stated.',
      '',
      table(
        ['model', 'data floor', ...labels, 'pc / fewest evaluations at pc quality (pc or the floor, the higher)'],
        r.samplers.map((row) => {
          const saved = evaluationsSaved(row);
          return [
            `${row.dataset} ${row.sde}${mixed ? ` (${row.seeds ?? 3} seeds)` : ''}`,
            row.floor.toExponential(1),
            ...labels.map((l) => {
              const v = row.results[l];
              if (!v) return 'failed';
              return `${v.evaluations.toFixed(0)}, ${v.mmd.toExponential(1)}${v.se === undefined ? '' : ` ± ${v.se.toExponential(0)}`}`;
            }),
            saved.factor === null ? '-' : `${fmtRatio(saved.factor)} (${saved.by})`,
          ];
        }),
      ),
      '',
    );
  }
  if (r.quality?.length) {
    const q = r.quality;
    const threads = `WASM ${r.machine.threads ?? r.machine.cores} threads`;
    // Older results have the dsm row alone.
    const ours = (Object.keys(QUALITY_OURS) as (keyof typeof QUALITY_OURS)[]).filter((k) => q.some((row) => row.results[k]));
    out.push(
      `## Time to quality (seconds until the samples' MMD² <= ${q[0].threshold}, 2000 samples)`,
      '',
      "Ours on every core with every default: the default run (a user's with no flag: the continuous VE objective, sampled by " +
        "pc) and the reference's kind of recipe (dsm score model, sigma from the data, moving average, Langevin step from the " +
        'model); the PyTorch reference with the standard recipe (dsm, sigma 0.1, last weights, 1000 Langevin steps of alpha ' +
        '1e-3). Each cell: seconds of training plus the sampling run that reached the threshold (training steps, MMD²), the ' +
        'median over the training seeds where there are several (the steps of each seed, fewest to most).',
      '',
      table(
        [
          'dataset',
          'data floor',
          ...ours.map((k) => `${threads}, ${QUALITY_OURS[k]}`),
          'PyTorch 1 thr',
          'PyTorch 2 thr',
          ...ours.map((k) => `PyTorch best / ${QUALITY_OURS[k]}`),
        ],
        q.map((row) => {
          const cell = (k: string) => {
            const v = row.results[k];
            if (!v) return '-';
            if (v.seconds === null) return row.errors?.[k] ? 'error' : 'not reached';
            const runs = v.runs ?? [];
            if (runs.length < 2) return `${v.seconds.toFixed(1)} s (${v.steps} steps, ${v.mmd?.toExponential(1)})`;
            const steps = runs.map((x) => x.steps ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
            const [lo, hi] = [steps[0], steps[steps.length - 1]].map((n) => (Number.isFinite(n) ? `${n}` : 'not reached'));
            const range = lo === hi ? lo : `${lo}-${hi}`;
            return `${v.seconds.toFixed(1)} s (${runs.length} seeds: ${range} steps, ${v.mmd?.toExponential(1)})`;
          };
          return [
            row.dataset,
            row.floor.toExponential(1),
            ...ours.map(cell),
            cell('torch-1'),
            cell('torch-2'),
            ...ours.map((k) => fmtRatio(qualitySpeedup(row, k))),
          ];
        }),
      ),
      '',
    );
  }
  if (r.memory?.length) {
    out.push('## Memory', '');
    out.push(
      table(
        [
          'run',
          'steps',
          'WASM memory',
          'WASM memory growth',
          'allocator growth',
          'JS heap growth',
          'JS heap committed growth',
          'RSS growth',
          'RSS slope x 10^6 steps',
          'flat',
        ],
        r.memory.map((s) => {
          const last = s.points[s.points.length - 1];
          return [
            s.what,
            String(s.steps),
            fmtBytes(last.wasmBytes),
            fmtBytes(s.growth.wasmBytes),
            fmtBytes(s.growth.wasmInUse),
            fmtBytes(s.growth.jsHeap),
            s.growth.jsCommitted === undefined ? '-' : fmtBytes(s.growth.jsCommitted),
            fmtBytes(s.growth.rss),
            fmtBytes(s.rssPer1e6),
            s.flat ? 'yes' : 'no',
          ];
        }),
      ),
      '',
      'Growth is from the first checkpoint (after warm-up) to the last. The committed JS heap is what V8 holds for it: a step',
      'there with a flat JS heap is V8 growing its young generation (bounded by its semi-space limit), not a leak.',
      '',
    );
  }
  if (r.browser) {
    out.push('## Browser (headless Chromium vs Node, same code, alternating runs)', '');
    if ('notice' in r.browser) out.push(r.browser.notice, '');
    else {
      const b = r.browser;
      out.push(
        table(
          ['benchmark', 'Node', 'Chromium', 'Chromium / Node'],
          Object.keys(b.node).map((k) => [
            k + (k.startsWith('train') ? ' (steps/s)' : ' (GFLOP/s)'),
            fmtRate(b.node[k]),
            fmtRate(b.browser[k]),
            b.ratio[k] === null ? '-' : `${(100 * b.ratio[k]!).toFixed(0)}%`,
          ]),
        ),
        '',
      );
    }
  }
  if (r.web) {
    out.push('## Web app (headless Chromium, the page as a user runs it)', '');
    if ('notice' in r.web) out.push(r.web.notice, '');
    else {
      const w = r.web;
      const f = (v: number | null) => (v === null ? '-' : v.toFixed(0));
      out.push(
        table(
          ['phase', 'view fps (median)', 'view fps (worst 1 s)', 'main thread ms/frame', 'worker'],
          [
            [
              'training',
              f(w.training.fpsMedian),
              f(w.training.fpsMin),
              w.training.frameMs.toFixed(1),
              `${w.training.stepsPerSecond.toFixed(0)} steps/s, ${(100 * w.training.trainShare).toFixed(0)}% in Adam steps`,
            ],
            [
              'sampling',
              f(w.sampling.fpsMedian),
              f(w.sampling.fpsMin),
              w.sampling.frameMs.toFixed(1),
              `${w.sampling.sampler}, ${w.sampling.seconds.toFixed(1)} s`,
            ],
          ],
        ),
        '',
        `Viewport ${w.viewport}, the page's default run (#${w.hash}), ${w.chromium}; software rendering (--disable-gpu).`,
        '',
      );
    }
  }
  if (r.notices.length) out.push('## Notices', '', ...r.notices.map((n) => `- ${n}`), '');
  return out.join('\n');
}
