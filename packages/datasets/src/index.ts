/**
 * @scorefield/datasets: real data sets for score models, shipped with the package (no download at run time).
 * MNIST (10,000 digits with labels, a fixed train/test split, 28x28 or 14x14) and the fixed MNIST classifier
 * whose features and class probabilities the image metrics use.
 */
export { DatasetError } from './errors.js';
export {
  loadMnist,
  decodeMnist,
  MNIST_FILES,
  MNIST_CLASSES,
  MNIST_SIZE,
  type ImageSet,
  type MnistOptions,
  type MnistSplit,
  type MnistImageSize,
} from './mnist.js';
export {
  loadMnistClassifier,
  decodeMnistClassifier,
  MNIST_CLASSIFIER_FILE,
  type MnistClassifier,
  type ClassifierOutput,
  type Rows,
} from './classifier.js';
export { readByteIdx, type ByteIdx } from './idx.js';
