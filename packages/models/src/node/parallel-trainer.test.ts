import { beforeAll, describe, expect, it } from 'vitest';
import { datasetSample, loadCore, type Core } from '@scorefield/core-math';
import { encodeModel } from '../checkpoint.js';
import { Trainer } from '../train.js';
import type { Worker } from 'node:worker_threads';
import { ParallelTrainer, shardSizes, type TestFault } from './parallel-trainer.js';

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
    const a = await run(),
      b = await run();
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;
    expect(mean(a.losses.subarray(250))).toBeLessThan(0.9 * mean(a.losses.subarray(0, 30)));
  });

  it("a model with a conditioning block ('fourier', 'gaussian'): each worker builds the block from its arrays", async () => {
    const data = { data: datasetSample(core, 'gmm3', core.rng(1), 1000).toArray(), rows: 1000, cols: 2 };
    for (const conditioning of ['fourier', 'gaussian'] as const) {
      const run = async () => {
        const o = { hidden: [16], steps: 20, seed: 2, loss: { name: 'ncsn' as const, sigmas: [1, 0.3] }, conditioning, workers: 2 };
        const p = new ParallelTrainer(core, data, o);
        await p.start();
        p.run(20);
        await p.close();
        expect(p.trainer.losses.every(Number.isFinite), conditioning).toBe(true);
        const bytes = encodeModel(p.trainer.model);
        p.trainer.free();
        return bytes;
      };
      expect(Buffer.from(await run()).equals(Buffer.from(await run())), conditioning).toBe(true);
    }
  });

  it('the shards compute with the trained weights; the model holds their moving average', async () => {
    const data = { data: datasetSample(core, 'gmm3', core.rng(1), 1000).toArray(), rows: 1000, cols: 2 };
    const run = async (ema: number) => {
      const p = new ParallelTrainer(core, data, { hidden: [16, 16], steps: 40, seed: 7, ema, workers: 2 });
      await p.start();
      p.run(40);
      await p.close();
      const trained = p.trainer.params.toArray(),
        held = p.trainer.model.params.toArray();
      p.trainer.free();
      p.trainer.model.free();
      return { trained, held };
    };
    const on = await run(0.999),
      off = await run(0);
    expect(Array.from(on.trained)).toEqual(Array.from(off.trained));
    expect(Array.from(off.held)).toEqual(Array.from(off.trained));
    expect(Array.from(on.held)).not.toEqual(Array.from(on.trained));
  });

  it('runs a step started before start() resolves (the worker counts generations from 0)', async () => {
    const data = { data: datasetSample(core, 'gmm3', core.rng(1), 1000).toArray(), rows: 1000, cols: 2 };
    const o = { hidden: [16, 16], steps: 5, seed: 4, workers: 2, stallTimeoutMs: 20_000 };
    const early = new ParallelTrainer(core, data, o);
    early.run(5); // the worker is still loading its core: it must not take generation 1 as already done
    await early.close();
    const late = new ParallelTrainer(core, data, o);
    await late.start();
    late.run(5);
    await late.close();
    expect(early.trainer.step).toBe(5);
    expect(Buffer.from(encodeModel(early.trainer.model)).equals(Buffer.from(encodeModel(late.trainer.model)))).toBe(true);
    early.trainer.free();
    late.trainer.free();
  });

  describe('a failing worker ends the run with an error instead of a hang', () => {
    const data = () => ({ data: datasetSample(core, 'gmm3', core.rng(1), 500).toArray(), rows: 500, cols: 2 });
    const threads = (p: ParallelTrainer) => (p as unknown as { workers: Worker[] }).workers;
    /** Runs 20 steps with the fault; returns the error, the time to it, and the trainer (closed). */
    const failing = async (testFault: TestFault, workers = 3, stallTimeoutMs?: number) => {
      const p = new ParallelTrainer(core, data(), { hidden: [8, 8], steps: 20, seed: 1, workers, stallTimeoutMs, testFault });
      await p.start();
      const t0 = performance.now();
      let error: Error | undefined;
      try {
        p.run(20);
      } catch (e) {
        error = e as Error;
      }
      const ms = performance.now() - t0;
      const again = (() => {
        try {
          p.run(1);
        } catch (e) {
          return e as Error;
        }
      })();
      await p.close();
      p.trainer.free();
      return { error, ms, again, p };
    };

    it('a worker that throws mid-step: a one-line error naming the worker, the step and the cause; every worker stopped', async () => {
      // No stall timeout: the failure is found from the worker's own report, not by waiting (no clock in the test).
      const { error, again, p } = await failing({ worker: 1, step: 7, kind: 'throw' }, 3, Number.POSITIVE_INFINITY);
      expect(error?.message).toBe('parallel training: worker 1 failed at step 7: injected fault at step 7');
      expect(p.trainer.step).toBe(6);
      expect(again?.message).toMatch(/^parallel training: stopped by an earlier failure \(parallel training: worker 1 failed at step 7/);
      // close() resolved: every thread, the healthy worker 2 included, has exited (nothing keeps the process alive).
      expect(threads(p).map((w) => w.threadId)).toEqual([-1, -1]);
    });

    it('a worker whose thread exits mid-step', async () => {
      const { error, p } = await failing({ worker: 2, step: 3, kind: 'exit' }, 3, Number.POSITIVE_INFINITY);
      expect(error?.message).toBe('parallel training: worker 2 exited at step 3 (its thread ended with code 3)');
      expect(threads(p).map((w) => w.threadId)).toEqual([-1, -1]);
    });

    it('a worker that blocks without a word trips the stall timeout', async () => {
      const { error, ms, p } = await failing({ worker: 1, step: 4, kind: 'hang' }, 2, 300);
      expect(error?.message).toMatch(/^parallel training: worker 1 stalled at step 4: no sign of life for 0\.300 s/);
      expect(error?.message).not.toContain('\n');
      expect(ms).toBeGreaterThanOrEqual(290); // it waited for the timeout (a lower bound, which load cannot break)
      expect(p.trainer.step).toBe(3);
      expect(threads(p).map((w) => w.threadId)).toEqual([-1]);
    });

    it('refuses a non-positive stall timeout and a fault outside the worker threads', () => {
      expect(() => new ParallelTrainer(core, data(), { workers: 2, stallTimeoutMs: 0 })).toThrow(/stallTimeoutMs/);
      expect(() => new ParallelTrainer(core, data(), { workers: 2, testFault: { worker: 0, step: 1, kind: 'throw' } })).toThrow(
        /testFault/,
      );
    });
  });
});
