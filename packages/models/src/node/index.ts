// @scorefield/models/node: Node-only helpers (worker threads).
export {
  ParallelTrainer,
  shardSizes,
  shardSeed,
  runShard,
  type ParallelTrainOptions,
  type ShardJob,
  type TestFault,
} from './parallel-trainer.js';
export { sampleParallel, sampleBlocks } from './parallel-sample.js';
