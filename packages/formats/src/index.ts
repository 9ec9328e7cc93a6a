/**
 * @scorefield/formats: point-cloud and model file formats with strict, located, one-line errors.
 * CSV and NumPy .npy for points, safetensors for model tensors. Bytes and text in and out (no `fs`).
 */
export { FormatError, excerpt } from './errors.js';
export type { Matrix, MatrixLike } from './matrix.js';
export {
  parseCsv,
  formatCsv,
  formatCsvChunks,
  CsvReader,
  MAX_COLUMN_NAME,
  COLUMN_NAME_RULE,
  isColumnName,
  type ParseCsvOptions,
  type FormatCsvOptions,
} from './csv.js';
export { POINT_LIMITS, detectPointsFormat, describeValues } from './limits.js';
export { parseStrictNumber, type StrictNumber } from './strict-number.js';
export { parseNpy, encodeNpy, encodeNpyArray, encodeNpyHeader, type ParseNpyOptions, type NpyDtype } from './npy.js';
export { parseIdx, type ParseIdxOptions } from './idx.js';
export {
  encodeSafetensors,
  decodeSafetensors,
  type SafetensorsDtype,
  type Tensor,
  type DecodeSafetensorsOptions,
  type SafetensorsFile,
} from './safetensors.js';
