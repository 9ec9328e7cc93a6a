/**
 * Shared geometry for the figures: the plot box, linear maps from data to pixels, a rough
 * text-width estimate and the palette of greys used for axes and text.
 */

/** A rectangle in SVG pixels: top-left corner `(x, y)`, size `w × h` (y grows downwards). */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Linear map from a data interval onto a pixel interval, e.g. `linear(0, 10, 100, 300)(5) === 200`.
 * Give `p0 > p1` to flip (SVG y grows downwards, data y upwards).
 * @param d0 data value mapped to `p0`
 * @param d1 data value mapped to `p1` (≠ d0)
 * @param p0 pixel position of `d0`
 * @param p1 pixel position of `d1`
 */
export function linear(d0: number, d1: number, p0: number, p1: number): (v: number) => number {
  const k = (p1 - p0) / (d1 - d0);
  return (v) => p0 + (v - d0) * k;
}

// Advance widths as fractions of the font size, roughly those of Helvetica/Arial: good
// enough to reserve margins and lay out legends without a font engine.
const NARROW = new Set("ijl.,:;|!'()[]{} ·Iftr");
const WIDE = new Set('mwMW@%');

/**
 * Estimated rendered width of a single-line string in a proportional sans-serif font.
 * @param s the text
 * @param fontSize font size, px
 * @returns width in px (over-estimates slightly on purpose, so text is never clipped)
 */
export function textWidth(s: string, fontSize: number): number {
  let em = 0;
  for (const c of s) {
    if (NARROW.has(c)) em += 0.3;
    else if (WIDE.has(c)) em += 0.85;
    else if (c >= 'A' && c <= 'Z') em += 0.68;
    else em += 0.56; // lower case, digits, most symbols
  }
  return em * fontSize;
}

/**
 * {@link textWidth} with room for the fonts text is drawn in: the PNG renderer's DejaVu Sans (the bundled font, and
 * the usual fallback of the figures' font list on Linux) sets text wider than Helvetica's estimate, by 1.07x for a
 * regular subtitle and 1.22x for a bold title (measured on the CLI's field-plot title and subtitle).
 * @param bold font-weight 600 (titles)
 */
export function drawnWidth(s: string, fontSize: number, bold = false): number {
  return textWidth(s, fontSize) * (bold ? 1.25 : 1.1);
}

/**
 * The font size at which one line of text fits `room` px ({@link drawnWidth}): `fontSize`, or less for a long line,
 * so a long title or subtitle shrinks rather than runs off the figure.
 */
export function fittedFontSize(s: string, fontSize: number, room: number, bold = false): number {
  const w = drawnWidth(s, fontSize, bold);
  return w <= room ? fontSize : Math.max(1, Math.floor(((fontSize * room) / w) * 10) / 10);
}

/** Colours and sizes shared by all figures, so they look like one family. */
export const STYLE = {
  /** body text (tick labels, legend) */
  text: '#333333',
  /** secondary text (subtitle, notes) */
  muted: '#666666',
  /** frame and tick marks */
  axis: '#4d4d4d',
  /** major grid lines */
  grid: '#e8e8e8',
  /** minor grid lines (log axes) */
  gridMinor: '#f3f3f3',
  titleSize: 16,
  subtitleSize: 13,
  tickSize: 12,
  legendSize: 13,
  tickLength: 4,
  /** outer margin on every side, px */
  pad: 16,
} as const;
