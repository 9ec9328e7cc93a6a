// Entry of a data-parallel training worker thread (see parallel-trainer.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { runShard, type ShardJob } from './parallel-trainer.js';

await runShard(workerData as ShardJob, (m) => parentPort!.postMessage(m));
