export { ScoreModel, objectiveLabel, lossCurve, type ScoreNetConfig, type TrainingRecord } from './model.js';
export { encodeCheckpoint, decodeCheckpoint, type TrainingCheckpoint } from './training-checkpoint.js';
export { fitNormalization, identityNormalization, normalize, denormalizeInPlace, type Normalization } from './normalization.js';
export { checkPoints, type Points } from './points.js';
export {
  trainScoreModel,
  trainDefaults,
  Trainer,
  TrainingDivergedError,
  type TrainOptions,
  type TrainResult,
  type TrainerState,
} from './train.js';
export { sampleLangevin, langevinDefaults, type LangevinOptions } from './sample.js';
export {
  sample,
  samplers,
  defaultSampler,
  plannedSteps,
  modelSigmas,
  annealedDefaults,
  pcDefaults,
  odeDefaults,
  type SamplerName,
  type SampleOptions,
  type SampleResult,
  type InitSpec,
} from './samplers/index.js';
export type { SampleProgress } from './samplers/context.js';
export { logLikelihood, solveProbabilityFlow, EXACT_TRACE_MAX_DIM, ODE_BLOCK } from './samplers/ode.js';
export { adaptiveDefaults, solveReverseSdeAdaptive, type AdaptiveSdeOptions } from './samplers/adaptive.js';
export { dpmDefaults, solveProbabilityFlowDpm } from './samplers/dpm.js';
export { sdeOf, type Sde } from './sde.js';
export { encodeModel, decodeModel, MODEL_FORMAT_VERSION, LIBRARY_VERSION, MODEL_LIMITS, type DecodeModelOptions } from './checkpoint.js';
export { ExactScore, type ScoreSource, type Stepper } from './score-source.js';
