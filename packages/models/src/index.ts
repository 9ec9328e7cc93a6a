export {
  ScoreModel,
  objectiveLabel,
  lossCurve,
  checkImageShape,
  type ImageShape,
  type ScoreNetConfig,
  type TrainingRecord,
} from './model.js';
export { encodeCheckpoint, decodeCheckpoint, type TrainingCheckpoint } from './training-checkpoint.js';
export {
  fitNormalization,
  fitGlobalNormalization,
  constantNotice,
  identityNormalization,
  normalize,
  denormalizeInPlace,
  CONSTANT_RELATIVE_STD,
  type Normalization,
} from './normalization.js';
export {
  dataScales,
  techniqueTwoRatio,
  noiseLadder,
  ladderSigmas,
  resolveObjective,
  fixedNoiseLevels,
  LOW_DIM_RATIO,
  SIGMA_MIN_FACTOR,
  HIGH_DIM_SIGMA_MIN_FACTOR,
  sigmaMinOf,
  SCALES_SUBSAMPLE,
  type DataScales,
  type NoiseLadder,
  type NoiseLevelSource,
  type ObjectiveRequest,
} from './noise-levels.js';
export { checkPoints, type Points } from './points.js';
export { fitGaussian, symmetricEigen, GAUSSIAN_RANK } from './gaussian-fit.js';
export { fitMixture, kMeans, mixtureComponents, MIXTURE_COMPONENTS } from './mixture-fit.js';
export {
  trainScoreModel,
  trainDefaults,
  defaultHidden,
  defaultBatch,
  defaultBatchOf,
  defaultConditioning,
  defaultLrDecay,
  lrDecays,
  defaultSteps,
  defaultStepsOf,
  Trainer,
  TrainingDivergedError,
  averageDecay,
  type LrDecay,
  type TrainOptions,
  type TrainResult,
  type TrainerState,
} from './train.js';
export { sampleLangevin, type LangevinOptions } from './sample.js';
export {
  sample,
  samplers,
  defaultSampler,
  plannedSteps,
  samplerSettings,
  modelSigmas,
  modelCurvature,
  annealedDefaults,
  annealedStepFactor,
  annealedVarianceRatio,
  langevinDefaults,
  langevinSchemes,
  modelBlur,
  denoiseDefaults,
  pcDefaults,
  defaultCorrectorSteps,
  odeDefaults,
  adaptiveDefaults,
  solveReverseSdeAdaptive,
  dpmDefaults,
  solveProbabilityFlowDpm,
  dpmSdeDefaults,
  logSnrTimes,
  solveReverseSdeDpm,
  stationarity,
  STEIN_TOLERANCE,
  type LangevinScheme,
  type SamplerName,
  type SampleOptions,
  type SampleResult,
  type SamplerSettings,
  type SamplerSpec,
  type AdaptiveSdeOptions,
  type InitSpec,
  type Stationarity,
  type SteinSums,
} from './samplers/index.js';
export type { SampleProgress } from './samplers/context.js';
export { logLikelihood, solveProbabilityFlow, EXACT_TRACE_MAX_DIM, ODE_BLOCK } from './samplers/ode.js';
export { sdeOf, type Sde } from './sde.js';
export { encodeModel, decodeModel, MODEL_FORMAT_VERSION, LIBRARY_VERSION, MODEL_LIMITS, type DecodeModelOptions } from './checkpoint.js';
export { ExactScore, type ScoreSource, type Stepper } from './score-source.js';
export {
  DENSITY_GRID,
  densityBox,
  gridLogLikelihood,
  validatedDensityLevel,
  odeLogLikelihood,
  type Box,
  type LevelFit,
  type OdeLikelihood,
} from './density.js';
export {
  defaultLoss,
  runDefaults,
  runFlags,
  runFromFlags,
  runToFlags,
  runToCliArgs,
  runToUrlState,
  runFromUrlState,
  runObjective,
  runToTrainOptions,
  type RunSpec,
  type RunFlag,
  type RunFlags,
} from './run-spec.js';
export { intFlag, positiveFlag, boundedFlag, intListFlag, sigmasFlag, strictNumber, MAX_LEVELS } from './flag-values.js';
