/**
 * Axis furniture for a rectangular plot box: light grid lines (drawn under the data) and the
 * frame with outward tick marks and labels (drawn over it).
 */
import { el, num, text } from './svg.js';
import { STYLE, type Box } from './layout.js';

/** One tick: where it sits (px along its axis) and what it says. */
export interface Tick {
  px: number;
  label: string;
}

/**
 * Grid lines across the plot box at the tick positions (group class `grid`).
 * @param box plot area, px
 * @param xTicks x positions, px
 * @param yTicks y positions, px
 * @param minorY extra faint horizontal lines (px), e.g. 2…9 × 10^k on a log axis
 */
export function gridLines(box: Box, xTicks: number[], yTicks: number[], minorY: number[] = []): string {
  let d = '';
  for (const x of xTicks) d += `M${num(x)} ${num(box.y)}V${num(box.y + box.h)}`;
  for (const y of yTicks) d += `M${num(box.x)} ${num(y)}H${num(box.x + box.w)}`;
  let dm = '';
  for (const y of minorY) dm += `M${num(box.x)} ${num(y)}H${num(box.x + box.w)}`;
  return el(
    'g',
    { class: 'grid', fill: 'none', 'stroke-width': 1 },
    dm ? el('path', { d: dm, stroke: STYLE.gridMinor }) : '',
    d ? el('path', { d, stroke: STYLE.grid }) : '',
  );
}

/**
 * Frame, tick marks and tick labels (group class `axes`), plus optional axis titles.
 * @param box plot area, px
 * @param xTicks ticks along the bottom edge
 * @param yTicks ticks along the left edge
 * @param labels optional axis titles: `x` under the tick labels, `y` rotated left of them
 */
export function axesFrame(box: Box, xTicks: Tick[], yTicks: Tick[], labels: { x?: string; y?: string; yOffset?: number } = {}): string {
  const t = STYLE.tickLength;
  const bottom = box.y + box.h;
  let marks = '';
  for (const k of xTicks) marks += `M${num(k.px)} ${num(bottom)}v${t}`;
  for (const k of yTicks) marks += `M${num(box.x)} ${num(k.px)}h${-t}`;
  const parts = [
    el('rect', { x: box.x, y: box.y, width: box.w, height: box.h, fill: 'none', stroke: STYLE.axis, 'stroke-width': 1 }),
    marks ? el('path', { d: marks, stroke: STYLE.axis, 'stroke-width': 1, fill: 'none' }) : '',
    el(
      'g',
      { class: 'x-ticks', 'text-anchor': 'middle' },
      ...xTicks.map((k) => text(k.label, { x: k.px, y: bottom + t + 4 + STYLE.tickSize * 0.8 })),
    ),
    el(
      'g',
      { class: 'y-ticks', 'text-anchor': 'end' },
      ...yTicks.map((k) => text(k.label, { x: box.x - t - 4, y: k.px + STYLE.tickSize * 0.35 })),
    ),
  ];
  if (labels.x) {
    parts.push(
      text(labels.x, {
        class: 'x-label',
        x: box.x + box.w / 2,
        y: bottom + t + 4 + STYLE.tickSize * 2.4,
        'text-anchor': 'middle',
        'font-size': 13,
      }),
    );
  }
  if (labels.y) {
    const x = box.x - (labels.yOffset ?? 40);
    const y = box.y + box.h / 2;
    parts.push(
      text(labels.y, { class: 'y-label', x, y, 'text-anchor': 'middle', 'font-size': 13, transform: `rotate(-90 ${num(x)} ${num(y)})` }),
    );
  }
  return el('g', { class: 'axes', fill: STYLE.text, 'font-size': STYLE.tickSize }, ...parts);
}
