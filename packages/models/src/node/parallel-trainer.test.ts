import { beforeAll, describe, expect, it } from 'vitest';
import { datasetSample, loadCore, type Core } from '@scorefield/core-math';
import { encodeModel } from '../checkpoint.js';
import { Trainer } from '../train.js';
import { ParallelTrainer, shardSizes } from './parallel-trainer.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

describe('ParallelTrainer', () => {
  it('splits the batch into shards', () => {
    expect(shardSizes(128, 2)).toEqual([64, 64]);
    expect(shardSizes(5, 3)).toEqual([2, 2, 1]);
  });

  it('with one worker it trains on the calling thread alone', async () => {
    const data = { data: datasetSample(core, 'gmm3', core.rng(1), 1000).toArray(), rows: 1000, cols: 2 };
    const o = { hidden: [16, 16], steps: 30, seed: 3 };
    const plain = new Trainer(core, data, o);
    plain.run(30);
    // One worker = shard 0 on the calling thread, with its own stream: compare to a run with that stream.
    const p = new ParallelTrainer(core, data, { ...o, workers: 1 });
    await p.start();
    p.run(30);
    await p.close();
    expect(p.trainer.step).toBe(30);
    expect(p.trainer.losses.every(Number.isFinite)).toBe(true);
    plain.free();
  });

  it('two workers train (the loss falls), deterministically for a seed and worker count', async () => {
    const data = { data: datasetSample(core, 'gmm3', core.rng(1), 2000).toArray(), rows: 2000, cols: 2 };
    const run = async () => {
      const p = new ParallelTrainer(core, data, { hidden: [32, 32], steps: 300, seed: 5, loss: { name: 'dsm', sigma: 0.5 }, workers: 2 });
      await p.start();
      p.run(300);
      await p.close();
      const bytes = encodeModel(p.trainer.model);
      const losses = p.trainer.losses.slice();
      p.trainer.free();
      return { bytes, losses };
    };
    const a = await run(), b = await run();
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;
    expect(mean(a.losses.subarray(250))).toBeLessThan(0.9 * mean(a.losses.subarray(0, 30)));
  });
});
