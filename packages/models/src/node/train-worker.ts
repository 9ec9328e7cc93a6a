// Entry of a data-parallel training worker thread (see parallel-trainer.ts). runShard returns once the
// trainer shuts down; if it throws, it has already written the failure to the shared control block (the
// main thread may be blocked in Atomics.wait and unable to receive the 'error' event), and the rejection
// ends the thread.
import { parentPort, workerData } from 'node:worker_threads';
import { runShard, type ShardJob } from './parallel-trainer.js';

await runShard(workerData as ShardJob, (m) => parentPort!.postMessage(m));
