export { ScoreModel, objectiveLabel, type ScoreNetConfig, type TrainingRecord } from './model.js';
export { fitNormalization, identityNormalization, normalize, denormalizeInPlace, type Normalization } from './normalization.js';
export { checkPoints, type Points } from './points.js';
export { trainScoreModel, trainDefaults, TrainingDivergedError, type TrainOptions, type TrainResult } from './train.js';
export { sampleLangevin, langevinDefaults, type LangevinOptions } from './sample.js';
export { encodeModel, decodeModel, MODEL_FORMAT_VERSION, LIBRARY_VERSION } from './checkpoint.js';
