/**
 * The page's end of a job worker (job-worker.ts): one job at a time. `stop` ends the job in flight by
 * terminating the worker (a sampling run cannot be interrupted from inside: `sample` runs to its end);
 * an idle worker is kept for the next job.
 */
import type { FromJob, ToJob } from './protocol.js';

export class JobLink {
  private worker: Worker | null = null;
  /** The run of the job in flight, if any. */
  busy: number | null = null;

  constructor(
    private readonly name: string,
    private readonly onMessage: (m: FromJob) => void,
  ) {}

  private spawn(): Worker {
    const w = new Worker(new URL('./job-worker.ts', import.meta.url), { type: 'module', name: this.name });
    w.onmessage = (ev: MessageEvent<FromJob>) => {
      const m = ev.data;
      if (m.type === 'sample-done' || m.type === 'density-done' || m.type === 'job-error') this.busy = null;
      this.onMessage(m);
    };
    w.onerror = (e) => {
      const run = this.busy ?? 0;
      this.stop();
      this.onMessage({ type: 'job-error', run, message: `the ${this.name} worker failed: ${e.message || 'unknown error'}` });
    };
    return w;
  }

  run(job: ToJob): void {
    this.stop();
    this.worker ??= this.spawn();
    this.busy = job.run;
    this.worker.postMessage(job, [job.bytes.buffer]);
  }

  /** Ends the job in flight, if any (nothing more arrives from it). */
  stop(): void {
    if (this.busy === null) return;
    this.worker?.terminate();
    this.worker = null;
    this.busy = null;
  }
}
