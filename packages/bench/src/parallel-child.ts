// Runs the data-parallel WASM trainer (ParallelTrainer of @scorefield/models/node) in its own process,
// serving the same JSON-lines protocol as torch/bench.py. A worker that dies or stalls makes the trainer
// throw (its stall timeout, 60 s, is below the runner's 120 s request timeout, so the error says which
// worker); anything worse still costs only this process, not the whole benchmark run.
import { createInterface } from 'node:readline';
import { loadCore } from '@scorefield/core-math';
import { configKey, objectiveCase, toyData, type TrainConfig } from './cases.js';
import { syncRunner, type Runner } from './timing.js';
import { loadParallelTrainer, type ParallelTrainerLike } from './training.js';

const core = await loadCore({ build: 'simd' });
const cls = await loadParallelTrainer();
let current: { key: string; pt: ParallelTrainerLike; runner: Runner } | undefined;

async function get(c: TrainConfig, workers: number) {
  const key = `${configKey(c)}/${workers}`;
  if (current?.key === key) return current.runner;
  if (current) {
    await current.pt.close();
    current.pt.trainer.free();
    current.pt.trainer.model.free();
    current = undefined;
  }
  if ('notice' in cls) throw new Error(cls.notice);
  const o = objectiveCase(c.objective);
  const pt = new cls(
    core,
    { data: toyData(10000, c.d), rows: 10000, cols: c.d },
    {
      workers,
      loss: o.spec,
      kind: c.kind,
      conditioning: o.conditioning,
      hidden: [c.width, c.width, c.width],
      batch: c.batch,
      lr: 1e-4,
      steps: 1_000_000_000,
      standardize: false,
      wasm: 'simd',
      stallTimeoutMs: 60_000,
    },
  );
  await pt.start();
  current = { key, pt, runner: syncRunner('wasm-2w', () => pt.run(1)) };
  return current.runner;
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  let out: object;
  try {
    const req = JSON.parse(line) as { op: string; config: TrainConfig; workers: number; ms: number };
    const r = await get(req.config, req.workers);
    out = req.op === 'warmup' ? { callMs: await r.warmup(req.ms) } : { rate: await r.round(req.ms) };
  } catch (e) {
    out = { error: (e as Error).message };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
if (current) await current.pt.close();
process.exit(0);
