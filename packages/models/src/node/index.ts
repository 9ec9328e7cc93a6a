// @scorefield/models/node: Node-only helpers (worker threads).
export { ParallelTrainer, shardSizes, shardSeed, runShard, type ShardJob } from './parallel-trainer.js';
