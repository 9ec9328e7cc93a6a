/**
 * A dropped or chosen file of points, read in the worker with @scorefield/formats' checks, the same as the
 * CLI's: the size first, then .npy (by its magic bytes or extension, checked from its header) or CSV streamed
 * through CsvReader (line and value limits), never the whole file as one string.
 */
import { CsvReader, detectPointsFormat, FormatError, parseNpy, POINT_LIMITS, type Matrix } from '@scorefield/formats';

/** Most values a file may hold in the page (2^24: 8 million 2-D points, 128 MiB as float64). */
export const WEB_MAX_VALUES = POINT_LIMITS.maxValues / 16;
/** Largest file accepted: a CSV this size holds more values than WEB_MAX_VALUES anyway (2+ bytes a value). */
export const WEB_MAX_BYTES = 2 ** 30;

/** What the worker needs of a File (a Blob with a name). */
export interface PointsFile {
  name: string;
  size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
  stream(): ReadableStream<Uint8Array>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Reads a file of points; `progress` gets the fraction of the bytes read so far (CSV: as it streams). */
export async function readPointsFile(
  file: PointsFile,
  progress: (fraction: number) => void = () => {},
): Promise<Matrix & { names?: string[] }> {
  const source = file.name;
  if (file.size > WEB_MAX_BYTES)
    throw new FormatError(
      `${source}: ${(file.size / 2 ** 20).toFixed(0)} MiB is more than the page reads (${WEB_MAX_BYTES / 2 ** 20} MiB)`,
    );
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (detectPointsFormat(head) === 'npy' || source.toLowerCase().endsWith('.npy')) {
    if (file.size > 8 * WEB_MAX_VALUES + 2 ** 20) throw new FormatError(`${source}: more values than the page reads (${WEB_MAX_VALUES})`);
    return parseNpy(new Uint8Array(await file.arrayBuffer()), { source, maxValues: WEB_MAX_VALUES });
  }
  const csv = new CsvReader({ source, maxValues: WEB_MAX_VALUES });
  const reader = file.stream().getReader();
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    read += value.length;
    progress(read / Math.max(1, file.size));
    try {
      csv.push(value);
    } catch (e) {
      await reader.cancel();
      throw e;
    }
  }
  const m = csv.end();
  // The header's names, as `scorefield train` keeps them (the model file's columns).
  return csv.names ? { ...m, names: csv.names } : m;
}
