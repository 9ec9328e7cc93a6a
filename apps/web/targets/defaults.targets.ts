/**
 * The targets of issue 15, measured through the page's own code path (the worker's Session and the job
 * worker's sampling, run here in Node on the same WASM core, which gives the browser's bits): with the
 * page's defaults (an empty link: only the dataset chosen), every built-in dataset is trained to the
 * default steps target and sampled with the default sampler, then
 *   1. the fixed-bandwidth MMD² of the samples should be at most 2 |floor| + 0.002 (the floor: the same statistic
 *      for a second draw of the data, 0 in expectation), and
 *   2. the page's MMD² should agree with `scorefield eval` on the exported model and samples within 10%.
 * `pnpm --filter @scorefield/web targets` (a few minutes) prints the table and writes docs/targets.md.
 * Not part of `npm test`: it measures the defaults, it is not a unit of behaviour.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { loadCore } from '@scorefield/core-math';
import { formatCsv } from '@scorefield/formats';
import { decodeModel } from '@scorefield/models';
import type { FromJob } from '../src/protocol.js';
import { sampleForView } from '../src/sampling.js';
import { Session } from '../src/session.js';
import { datasetNames, effectiveSampler, runOf } from '../src/state.js';
import { decodeState } from '../src/url-state.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const only = process.env.TARGETS_DATASETS?.split(',');
/** More of the link than `data` (e.g. `loss=ncsn`), to measure other objectives with the page's defaults. */
const extra = process.env.TARGETS_LINK ?? '';

interface Row {
  data: string;
  /** The run failed: its message. */
  error?: string;
  steps: number;
  sampler: string;
  mmd: number;
  floor: number;
  goal: number;
  met: boolean;
  inMode?: string;
  evalMmd: number;
  agreement: number;
  seconds: number;
}

it('the page defaults on every built-in dataset, and the page MMD² against `scorefield eval`', { timeout: 3_600_000 }, async () => {
  const core = await loadCore({ build: 'simd' });
  const tmp = join(tmpdir(), `scorefield-targets-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const rows: Row[] = [];
  for (const data of datasetNames.filter((d) => !only || only.includes(d))) {
    const t0 = performance.now();
    const s = decodeState(`#data=${data}${extra ? `&${extra}` : ''}`).state;
    const session = new Session(
      core,
      { type: 'configure', run: 1, spec: runOf(s), data: { kind: 'builtin', name: data, size: s.dataSize, seed: s.seed } },
      null,
      () => {},
    );
    session.start();
    while (session.tick()) {}
    const { bytes } = session.modelFile();
    const model = decodeModel(core, bytes, 'the trained model');
    let done: Extract<FromJob, { type: 'sample-done' }> | undefined;
    const request = { sampler: effectiveSampler(s), n: s.particles, seed: s.sampleSeed, steps: s.sampleSteps, stepSize: s.stepSize };
    let error = '';
    try {
      sampleForView(core, model, request, { kind: 'builtin', name: data }, { run: 1, step: session.step }, (m) => {
        if (m.type === 'sample-done') done = m;
      });
    } catch (e) {
      error = (e as Error).message;
    }
    model.free();
    session.free();
    if (error) {
      console.log(`${data}: ${error}`);
      rows.push({
        data,
        error,
        steps: session.step,
        sampler: '',
        mmd: NaN,
        floor: NaN,
        goal: NaN,
        met: false,
        evalMmd: NaN,
        agreement: 0,
        seconds: (performance.now() - t0) / 1000,
      });
      continue;
    }
    const q = done!.quality;
    const modelFile = join(tmp, `${data}.safetensors`),
      csv = join(tmp, `${data}.csv`);
    writeFileSync(modelFile, bytes);
    writeFileSync(csv, formatCsv({ data: Float64Array.from(done!.samples), rows: done!.samples.length / 2, cols: 2 }));
    const cli = join(repo, 'apps/cli/bin/scorefield.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'eval', '--model', modelFile, '--samples', csv, '--json']);
    const evalMmd = JSON.parse(stdout).smearing.mmd2.value as number;
    const goal = 2 * Math.abs(q.floor) + 0.002;
    const row: Row = {
      data,
      steps: session.step,
      sampler: done!.sampler,
      mmd: q.mmd,
      floor: q.floor,
      goal,
      met: q.mmd <= goal,
      inMode: q.inMode === undefined ? undefined : `${q.inMode.toFixed(3)} (data ${q.inModeFloor!.toFixed(3)})`,
      evalMmd,
      agreement: Math.abs(q.mmd - evalMmd) / Math.abs(evalMmd),
      seconds: (performance.now() - t0) / 1000,
    };
    rows.push(row);
    console.log(
      `${data}: MMD² ${q.mmd.toPrecision(3)} (floor ${q.floor.toPrecision(2)}, goal ${goal.toPrecision(2)}: ` +
        `${row.met ? 'met' : 'missed'}); eval ${evalMmd.toPrecision(3)}; ${row.seconds.toFixed(1)} s`,
    );
  }
  const table = [
    '| dataset | steps | sampler | MMD² (page) | data floor | goal 2·abs(floor) + 0.002 | met | in modes (data) ' +
      '| MMD² (scorefield eval) | page vs eval | seconds |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows
      .map((r) =>
        (r.error
          ? [r.data, r.steps, `**failed**: ${r.error}`, '', '', '', '**no**', '', '', '', r.seconds.toFixed(1)]
          : [
              r.data,
              r.steps,
              r.sampler,
              r.mmd.toPrecision(3),
              r.floor.toPrecision(2),
              r.goal.toPrecision(2),
              r.met ? 'yes' : '**no**',
              r.inMode ?? 'n/a',
              r.evalMmd.toPrecision(3),
              `${(100 * r.agreement).toPrecision(2)}%`,
              r.seconds.toFixed(1),
            ]
        ).join(' | '),
      )
      .map((l) => `| ${l} |`),
  ].join('\n');
  const doc = `# The web app's defaults on every built-in dataset

Measured ${new Date().toISOString()} by \`pnpm --filter @scorefield/web targets\` (apps/web/targets/defaults.targets.ts) on
the page's own code path in Node (the worker's Session, the job worker's sampling):
a link with only \`data\` set${extra ? ` and \`${extra}\`` : ''},
trained to the default steps target and sampled with the default sampler. 1-minute load average ${loadavg()[0].toFixed(1)} on
this shared 2-core machine (the seconds column moves with it; the numbers do not).

MMD² is the unbiased fixed-bandwidth MMD² (bandwidths 0.05 to 2, in the reference's standardised units) of the
page's 1000 samples against \`scorefield eval\`'s 2000 held-out points, and the floor the same statistic for eval's second
draw of 2000 data points (both from @scorefield/metrics' smearingMetrics, as eval reports them).

${table}
`;
  const out = join(here, `../docs/targets${extra ? `-${extra.replace(/\W+/g, '-')}` : ''}.md`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, doc);
  renameSync(`${out}.tmp`, out);
  console.log(`\n${table}\n\nwrote ${out}`);
  for (const r of rows) expect.soft(r.error, `${r.data}: the run`).toBeUndefined();
  for (const r of rows) expect.soft(r.agreement, `${r.data}: page vs eval`).toBeLessThanOrEqual(0.1);
  for (const r of rows) expect.soft(r.mmd, `${r.data}: MMD² within 2 |floor| + 0.002`).toBeLessThanOrEqual(r.goal);
});
