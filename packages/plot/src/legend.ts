/**
 * Legends: a list of (symbol, label) entries laid out either as wrapped rows under a plot
 * or as a boxed column in a plot corner. Output is a `<g class="legend">`.
 */
import { el, num, text } from './svg.js';
import { STYLE, textWidth } from './layout.js';

/** How an entry is drawn: a dot, an arrow, a line, a gradient swatch, or nothing (a note). */
export type LegendSymbol =
  | { kind: 'dot'; fill: string; opacity?: number }
  | { kind: 'arrow'; color: string }
  | { kind: 'line'; color: string }
  | { kind: 'gradient'; ref: string }
  | { kind: 'note' };

/** One legend entry; `note` entries are set in the muted colour without a symbol. */
export interface LegendItem {
  label: string;
  symbol: LegendSymbol;
}

const SYMBOL_W = 22; // px reserved for the symbol
const GAP = 6; // symbol → label
const SPACING = 22; // between entries on a row
const ROW_H = 20;

function itemWidth(item: LegendItem): number {
  const tw = textWidth(item.label, STYLE.legendSize);
  return item.symbol.kind === 'note' ? tw : SYMBOL_W + GAP + tw;
}

/** Symbol centred vertically on `cy`, starting at `x`. */
function symbol(s: LegendSymbol, x: number, cy: number): string {
  switch (s.kind) {
    case 'dot':
      return el('circle', { cx: x + SYMBOL_W / 2, cy, r: 4, fill: s.fill, 'fill-opacity': s.opacity });
    case 'line':
      return el('path', { d: `M${num(x)} ${num(cy)}h${SYMBOL_W}`, stroke: s.color, 'stroke-width': 2.5, 'stroke-linecap': 'round' });
    case 'arrow': {
      const x1 = x + SYMBOL_W - 1;
      return el('path', {
        d: `M${num(x + 1)} ${num(cy)}H${num(x1 - 6)}M${num(x1)} ${num(cy)}l-7 -3.5v7Z`,
        stroke: s.color,
        fill: s.color,
        'stroke-width': 1.5,
        'stroke-linejoin': 'round',
      });
    }
    case 'gradient':
      return el('rect', { x, y: cy - 6, width: SYMBOL_W, height: 12, fill: `url(#${s.ref})`, stroke: '#bbbbbb', 'stroke-width': 0.5 });
    case 'note':
      return '';
  }
}

function entry(item: LegendItem, x: number, cy: number): string {
  const isNote = item.symbol.kind === 'note';
  const tx = isNote ? x : x + SYMBOL_W + GAP;
  return symbol(item.symbol, x, cy) + text(item.label, { x: tx, y: cy + STYLE.legendSize * 0.35, fill: isNote ? STYLE.muted : undefined });
}

/**
 * Split entries into rows no wider than `maxWidth` (an entry wider than that gets a row of its
 * own, and so does every note).
 * @param items entries in order
 * @param maxWidth px available per row
 * @returns rows of entries, each with its width in px
 */
export function legendRows(items: LegendItem[], maxWidth: number): { items: LegendItem[]; width: number }[] {
  const rows: { items: LegendItem[]; width: number }[] = [];
  for (const item of items) {
    const w = itemWidth(item);
    const last = rows[rows.length - 1];
    // A note (e.g. the arrow-colour explanation) always starts a row of its own.
    if (last && item.symbol.kind !== 'note' && last.width + SPACING + w <= maxWidth) {
      last.items.push(item);
      last.width += SPACING + w;
    } else {
      rows.push({ items: [item], width: w });
    }
  }
  return rows;
}

/** Height in px of a flow legend with `rows` rows. */
export function flowLegendHeight(rows: number): number {
  return rows * ROW_H;
}

/**
 * Entries in wrapped rows, each row centred on `cx` but kept inside `[minX, maxX]`.
 * @param items entries in order
 * @param top y of the top of the first row, px
 * @param cx preferred centre of each row, px
 * @param minX left limit, px
 * @param maxX right limit, px
 */
export function flowLegend(items: LegendItem[], top: number, cx: number, minX: number, maxX: number): string {
  const rows = legendRows(items, maxX - minX);
  const out: string[] = [];
  rows.forEach((row, i) => {
    let x = Math.min(Math.max(minX, cx - row.width / 2), Math.max(minX, maxX - row.width));
    const cy = top + i * ROW_H + ROW_H / 2;
    for (const item of row.items) {
      out.push(entry(item, x, cy));
      x += itemWidth(item) + SPACING;
    }
  });
  return el('g', { class: 'legend', 'font-size': STYLE.legendSize, fill: STYLE.text }, ...out);
}

/**
 * Entries stacked in a white, lightly framed box whose top-right corner is at `(right, top)`.
 * @param items entries in order
 * @param right x of the box's right edge, px
 * @param top y of the box's top edge, px
 */
export function boxLegend(items: LegendItem[], right: number, top: number): string {
  const inner = 8;
  const w = Math.max(0, ...items.map(itemWidth)) + 2 * inner;
  const h = items.length * ROW_H + inner;
  const x = right - w;
  const parts = [
    el('rect', { x, y: top, width: w, height: h, rx: 3, fill: '#ffffff', 'fill-opacity': 0.9, stroke: '#d0d0d0', 'stroke-width': 1 }),
  ];
  items.forEach((item, i) => parts.push(entry(item, x + inner, top + inner / 2 + i * ROW_H + ROW_H / 2)));
  return el('g', { class: 'legend', 'font-size': STYLE.legendSize, fill: STYLE.text }, ...parts);
}
