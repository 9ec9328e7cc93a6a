// Entry point of the WASM core: one export per kernel; the TS loader owns all memory above heapBase().
// Codes and config blocks are declared in assembly/contract.ts; the TS side of both is generated from them.
export { rngUniform, rngNormal, rngRademacher } from './rng';
export { gemm, transpose, addColumnSums } from './gemm';
export { denseForward, denseBackward } from './dense';
export { activationForward, activationDerivatives, activationBackward } from './activation';
export { mlpParamCount, mlpJetWorkspaceFloats } from './layout';
export { mlpWorkspaceFloats, mlpForward, mlpBackward } from './mlp';
export { mlpJetForward, mlpJetBackward } from './jet';
export { modelWorkspaceFloats, modelScore, modelEnergy, modelDivergenceWorkspaceFloats, modelScoreDivergence } from './model';
export { objectiveWorkspaceFloats, objectiveLossGrad } from './objectives';
export { sdeMarginal } from './sde';
export { adamStep, fillZero } from './adam';
export { scaleAdd } from './vector';
export { gatherRandomRows } from './batch';
export { samplerSteps } from './langevin';
export { datasetSample, datasetLogDensityScore, datasetComponents } from './datasets';
export { mulAddCeiling } from './ceiling';
export { poolAttach, poolWorker, poolStop, poolFail, poolSpinPolls } from './pool';
export {
  echoSdeConfig,
  echoObjectiveConfig,
  echoSamplerConfig,
  echoGaussianConfig,
  echoFourierConfig,
  echoMixtureConfig,
} from './contract-echo';

/** First byte the TS allocator may use (end of static data). */
export function heapBase(): usize {
  return __heap_base;
}

/** 1 when this is the SIMD build. */
export function isSimdBuild(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}
