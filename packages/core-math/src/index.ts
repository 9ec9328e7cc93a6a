export { InputError, isInputError, lookup } from './errors.js';
export { isDetached, emptyArrayMessage } from './detached.js';
export { Core, Rng, loadCore, type Scope, simdSupported, threadsSupported, type LoadCoreOptions } from './core.js';
export { POOL_SPIN_MICROS, SPLIT_KEEP_PASSES, SPLIT_MIN_WORK, SPLIT_TRIAL_PASSES, ThreadPool } from './threads.js';
export type { Build } from './wasm/build.js';
export { F32Buffer, I32Buffer, WasmHeap, type Freeable } from './memory.js';
export type { CoreExports } from './exports.js';
export { rngUniform, rngNormal, rngRademacher } from './rng-draws.js';
export { denseForward, denseBackward, denseScratchFloats, type DenseShape } from './dense.js';
export {
  activations,
  activationCode,
  activationForward,
  activationDerivatives,
  activationBackward,
  type Activation,
} from './activation.js';
export { MlpLayout } from './mlp.js';
export { jetRows, mlpJetWorkspaceFloats, mlpJetForward, mlpJetBackward, type JetOrder } from './jet.js';
export {
  modelKinds,
  conditionings,
  EMBED_FEATURES,
  modelDims,
  modelDataDim,
  modelWorkspaceFloats,
  modelScore,
  modelEnergy,
  modelDivergenceWorkspaceFloats,
  modelScoreDivergence,
  type ModelKind,
  type Conditioning,
  type ModelSpec,
} from './score-model.js';
export { GaussianBlock, checkGaussian, gaussianVariance, type GaussianSpec } from './gaussian-skip.js';
export {
  MixtureBlock,
  checkMixture,
  mixtureMoments,
  sharedBasis,
  BASIS_TOLERANCE,
  type MixtureSpec,
  type SharedBasis,
} from './mixture-skip.js';
export {
  FourierBlock,
  checkFourier,
  drawFourier,
  FOURIER_FREQUENCIES,
  FOURIER_SCALE,
  type FourierSpec,
} from './fourier-features.js';
export {
  objectives,
  projections,
  BoundObjective,
  type ObjectiveName,
  type ObjectiveSpec,
  type Projection,
} from './objectives.js';
export { sdeDefaults, sdeOf, type Sde } from './sde.js';
export { schedules, sigmaSchedule, parseSigmaSchedule, type ScheduleName } from './schedules.js';
export { Adam, type AdamOptions } from './adam.js';
export { scaleAdd } from './vector.js';
export { gatherRandomRows } from './batch.js';
export { langevin, samplerSteps, type ParticleBlock, type LangevinWork, type StepRule, type StepOptions } from './langevin.js';
export {
  datasets,
  datasetNames,
  datasetSample,
  datasetPoints,
  datasetLogDensityScore,
  datasetComponents,
  type DatasetName,
  type DatasetSpec,
  type MixtureComponent,
} from './datasets.js';
export { mulAddCeiling } from './ceiling.js';
export {
  measureRate,
  benchmarkCeiling,
  benchmarkDense,
  benchmarkTraining,
  benchmarkObjectives,
  type MeasureOptions,
} from './benchmarks.js';
