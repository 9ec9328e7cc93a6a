/**
 * Limits shared by the point readers (CSV, .npy, IDX), so a file cannot make a reader allocate more than
 * the points it may hold. `maxValues` (2^28 values: 2 GiB as float64, 1 GiB as the float32 the WASM core
 * trains on) keeps within a Float64Array and the core's 4 GiB memory; callers may pass a lower limit
 * (the CLI derives one from the machine's memory). `maxLineLength` bounds the text the CSV reader holds
 * for one row, so a file without line breaks (binary data, /dev/zero) fails at once.
 */
export const POINT_LIMITS = { maxValues: 2 ** 28, maxLineLength: 1 << 20 } as const;

/** `2 GiB as float64`: the size of `values` float64 values, for messages. */
export function describeValues(values: number): string {
  const bytes = values * 8;
  const size =
    bytes >= 2 ** 30
      ? `${+(bytes / 2 ** 30).toFixed(2)} GiB`
      : bytes >= 2 ** 20
        ? `${+(bytes / 2 ** 20).toFixed(1)} MiB`
        : `${bytes} bytes`;
  return `${size} as float64`;
}

/** The message for `found` values (a number or an exact bigint) over the limit, or undefined when within it. */
export function valueLimitMessage(found: number | bigint, maxValues: number): string | undefined {
  if (BigInt(found) <= BigInt(Math.floor(maxValues))) return undefined;
  return `${found} values is more than the limit of ${maxValues} (${describeValues(maxValues)})`;
}

/** The format of a file of points from its first bytes: `'npy'` when it starts with numpy's magic, else `'csv'`. */
export function detectPointsFormat(head: Uint8Array): 'npy' | 'csv' {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  return head.length >= magic.length && magic.every((b, i) => head[i] === b) ? 'npy' : 'csv';
}
