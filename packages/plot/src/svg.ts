/**
 * A tiny SVG/XML string builder: escaping, compact number formatting and element assembly.
 * Everything here is pure and deterministic, so the same figure always gives the same bytes.
 */

/** Attribute values; `undefined`/`null`/`false` drop the attribute, numbers go through {@link num}. */
export type Attrs = Record<string, string | number | boolean | undefined | null>;

// XML 1.0 forbids these control characters even when escaped, so they are dropped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML 1.0 forbids
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * Escape text for use in XML character data or a double-quoted attribute value.
 * `& < > " '` become entities; characters XML 1.0 cannot carry at all are removed.
 * @param text any string
 * @returns a string safe to place between tags or inside `"…"`
 */
export function esc(text: string): string {
  return text
    .replace(FORBIDDEN, '')
    .replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

/**
 * Format a number compactly for SVG: rounded to `digits` decimals (default 2, i.e. 1/100 px),
 * trailing zeros dropped, `-0` printed as `0`. Non-finite input prints as `0` so a stray NaN
 * never produces an unparsable attribute (callers skip non-finite data before this point).
 * @param value a coordinate or size in px (or any number)
 * @param digits decimals to keep, 0–6
 * @returns e.g. `num(12.3456) === '12.35'`, `num(3) === '3'`
 */
export function num(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '0';
  const f = 10 ** digits;
  const r = Math.round(value * f) / f;
  if (r === 0) return '0';
  // toFixed then trim: avoids exponent notation for small and large magnitudes alike.
  let s = r.toFixed(digits);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/**
 * Format a value for reading (legends, notes) with `digits` significant digits, e.g.
 * `sig(12.345) === '12.3'`, `sig(0.000123) === '1.23e-4'`, `sig(1234567) === '1.23e+6'`.
 * @param value any finite number (non-finite gives 'NaN'/'∞' style text)
 * @param digits significant digits, default 3
 */
export function sig(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const a = Math.abs(value);
  const s = a >= 1e-3 && a < 1e5 ? String(Number(value.toPrecision(digits))) : value.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return s.replace(/^-/, '−');
}

/**
 * Serialise attributes as ` name="value"` pairs, in the order given.
 * @param attrs name → value; numbers are formatted with {@link num}, strings escaped
 */
export function attrs(attrs: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    out += ` ${k}="${typeof v === 'number' ? num(v) : v === true ? k : esc(v)}"`;
  }
  return out;
}

/**
 * Build one element. Children are raw markup (already built or escaped): use {@link text}
 * for character data. No children gives a self-closing tag.
 * @param tag element name, e.g. `'circle'`
 * @param a attributes, see {@link attrs}
 * @param children markup strings, concatenated in order (empty strings are fine)
 * @returns e.g. `el('rect', { x: 1, y: 2 }) === '<rect x="1" y="2"/>'`
 */
export function el(tag: string, a: Attrs = {}, ...children: string[]): string {
  const inner = children.join('');
  return inner === '' ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${inner}</${tag}>`;
}

/**
 * A `<text>` element with escaped content.
 * @param content the text (escaped here)
 * @param a attributes: x, y (px), text-anchor, class, …
 */
export function text(content: string, a: Attrs = {}): string {
  return `<text${attrs(a)}>${esc(content)}</text>`;
}

/**
 * A short, deterministic hash (FNV-1a, 32 bit, hex) used to make element ids unique per
 * figure, so several figures can be inlined into one HTML page without id clashes.
 * @param s any string
 * @returns 8 lowercase hex digits
 */
export function hashId(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Default font stack: the platform UI sans-serif, falling back to the usual suspects. */
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/**
 * Wrap content in a standalone SVG document with a white background.
 * @param width document width, px
 * @param height document height, px
 * @param body inner markup
 * @param title accessible title (escaped; becomes the `<title>` child)
 */
export function svgDocument(width: number, height: number, body: string, title: string): string {
  return `${el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${num(width)} ${num(height)}`,
      width,
      height,
      'font-family': FONT,
      'font-size': 12,
      fill: '#222',
    },
    `\n${el('title', {}, esc(title))}\n`,
    el('rect', { width, height, fill: '#ffffff' }),
    '\n',
    body,
  )}\n`;
}
