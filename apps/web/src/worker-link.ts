/**
 * The page's end of the training worker (protocol.ts): typed sends, replies to requests matched by id,
 * and run messages handed to one handler. Run ids are the page's: a message of a superseded run is
 * dropped by the handler, which knows the current one.
 */
import type { FromWorker, ToWorker } from './protocol.js';

type Reply<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;
export type RunMessage = Exclude<FromWorker, { type: 'ready' | 'file-points' | 'file-error' | 'file-progress' | 'model-bytes' }>;

export interface LinkHandlers {
  ready(build: 'simd' | 'scalar', threads: number): void;
  run(msg: RunMessage): void;
  /** The worker could not start or threw outside any run. */
  failed(message: string): void;
}

export class TrainerLink {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly waiting = new Map<number, (m: FromWorker) => void>();

  constructor(handlers: LinkHandlers) {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'scorefield-trainer' });
    this.worker.onerror = (e) => handlers.failed(`the training worker failed to start: ${e.message || 'unknown error'}`);
    this.worker.onmessage = (ev: MessageEvent<FromWorker>) => {
      const m = ev.data;
      if (m.type === 'ready') handlers.ready(m.build, m.threads);
      else if (m.type === 'model-bytes' || m.type === 'file-points' || m.type === 'file-error' || m.type === 'file-progress') {
        const resolve = this.waiting.get(m.id);
        if (m.type !== 'file-progress') this.waiting.delete(m.id);
        resolve?.(m);
      } else handlers.run(m);
    };
  }

  send(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  /** The model file of a run, as `scorefield train` writes it. */
  exportModel(run: number): Promise<Reply<'model-bytes'>> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.waiting.set(id, (m) => resolve(m as Reply<'model-bytes'>));
      this.send({ type: 'export-model', run, id });
    });
  }

  /** Reads a file of points in the worker (the formats package's checks); `progress` gets the fraction read. */
  loadFile(file: File, progress: (fraction: number) => void = () => {}): Promise<Reply<'file-points'> | Reply<'file-error'>> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.waiting.set(id, (m) => {
        if (m.type === 'file-progress') progress(m.fraction);
        else resolve(m as Reply<'file-points'> | Reply<'file-error'>);
      });
      this.send({ type: 'load-file', id, file });
    });
  }
}
