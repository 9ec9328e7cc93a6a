/**
 * @scorefield/tfjs: the scorefield score / energy MLP and every score-matching objective in TensorFlow.js,
 * differentiated with tfjs autodiff. It is the independent oracle for the hand-derived WebAssembly
 * gradients of @scorefield/core-math, and a tfjs API for the same models.
 */
export { tf, ensureReady, ensureGradients, useBackend } from './tf.js';
export { activation, ACTIVATIONS, sigmoid, exp, tanh, softplus, silu, elu, type Activation } from './activations.js';
export {
  EMBEDDING_SIZE,
  dataDim,
  energy,
  isConditioned,
  isEmbedded,
  isScaled,
  mlp,
  noiseEmbedding,
  paramCount,
  score,
  scoreDivergence,
  scoreJacobian,
  scoreVjp,
  vjp,
  type Conditioning,
  type ModelKind,
  type ModelSpec,
  type NetSpec,
  type SigmaLike,
} from './model.js';
export {
  OBJECTIVES,
  inputTensors,
  objectiveLoss,
  objectiveLossAndGrad,
  objectiveValue,
  objectiveValueAndGrad,
  type Objective,
  type ObjectiveInputs,
  type ObjectiveTensors,
} from './objectives.js';
export { energyOf, scoreDivergenceOf, scoreJacobianOf, scoreOf } from './flat.js';
export { fromScoreModel, type TensorScoreModel } from './from-score-model.js';
export { fromTensor, toTensor, type Float32Matrix, type MatrixLike } from './interop.js';
