import { describe, expect, it } from 'vitest';
import { encodeNpy } from '@scorefield/formats';
import { readPointsFile, WEB_MAX_BYTES } from './file-points.js';

const file = (name: string, parts: BlobPart[]) => Object.assign(new Blob(parts), { name });
const error = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error) => e.message,
  );

describe('readPointsFile (the worker reads dropped files with the formats package checks)', () => {
  it('reads CSV (streamed) and .npy (by its magic bytes, whatever the name)', async () => {
    expect(await readPointsFile(file('a.csv', ['x,y\n1,2\n', '3,4\n']))).toMatchObject({ rows: 2, cols: 2 });
    const npy = encodeNpy({ data: [1, 2, 3, 4], rows: 2, cols: 2 });
    expect(Array.from((await readPointsFile(file('a.txt', [npy as Uint8Array<ArrayBuffer>]))).data)).toEqual([1, 2, 3, 4]);
  });

  it('refuses binary data, huge lines, oversized files and bad headers with one line naming the file', async () => {
    expect(await error(readPointsFile(file('z.csv', [new Uint8Array(3 << 20)])))).toBe(
      'z.csv: line 1 is longer than 1048576 characters (is this a text file of points?)',
    );
    const huge = { name: 'h.csv', size: 2 * WEB_MAX_BYTES } as never;
    expect(await error(readPointsFile(huge))).toBe('h.csv: 2048 MiB is more than the page reads (1024 MiB)');
    const dict = new TextEncoder().encode("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 2), }\n");
    const bomb = Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, dict.length, 0, ...dict]);
    expect(await error(readPointsFile(file('b.npy', [bomb])))).toMatch(
      /^b\.npy: shape \(100000000, 2\): 200000000 values is more than the limit of 16777216/,
    );
    expect(await error(readPointsFile(file('n.csv', ['1,2\n3,nan\n'])))).toBe(
      "n.csv: line 2, column 1 (0-based): 'nan' is not a finite number",
    );
  });
});
