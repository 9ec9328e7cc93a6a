/**
 * Drawing points on the view with a pointer (mouse, pen, finger) or the keyboard (arrow keys move a
 * cursor, Enter adds a blob, Escape leaves draw mode). Each touch adds a small Gaussian blob of points,
 * rounded to the 1e-3 grid the URL carries exactly. The jitter comes from a seeded generator, so the
 * same strokes give the same points.
 */
import { createRng } from '@scorefield/metrics';
import type { Range } from './protocol.js';
import { quantize } from './url-state.js';
import * as detMath from '@scorefield/core-math/det-math';

export interface DrawingEvents {
  /** The first touch of a drawing that replaces other data: the app switches to drawn data. */
  begin(): void;
  /** Points were added (shown at once, not yet a run). */
  changed(points: Float32Array): void;
  /** A stroke ended with enough points for a run. */
  commit(points: Float32Array, range: Range): void;
  /** Draw mode was switched on or off. */
  modeChanged(on: boolean): void;
}

export class DrawingInput {
  on = false;
  /** The drawn points so far [x0, y0, ...]. */
  points: number[] = [];
  /** The view box the points were drawn in (kept for their run). */
  range: Range | null = null;
  cursor: [number, number] | null = null;
  private stroke = false;
  /** The blob jitter's seeded stream (metrics' mulberry32; not for anything statistical). */
  private random = createRng(1).uniform;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    /** The view box the canvas shows now, and whether the current data are drawn points. */
    private readonly view: () => { range: Range; drawnData: boolean },
    private readonly events: DrawingEvents,
  ) {
    canvas.addEventListener('pointerdown', (ev) => this.down(ev));
    canvas.addEventListener('pointermove', (ev) => {
      if (this.stroke) this.addBlob(...this.toData(ev), 3);
    });
    canvas.addEventListener('pointerup', () => this.end());
    canvas.addEventListener('pointercancel', () => this.end());
    canvas.addEventListener('keydown', (ev) => this.key(ev));
  }

  setMode(on: boolean): void {
    this.on = on;
    const r = this.view().range;
    this.cursor = on ? (this.cursor ?? [(r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2]) : null;
    this.events.modeChanged(on);
  }

  /** Forgets the drawing and starts an empty one in the current view box. */
  clear(): void {
    this.points = [];
    this.range = { ...this.view().range };
  }

  private toData(ev: PointerEvent): [number, number] {
    const b = this.canvas.getBoundingClientRect(),
      v = this.view().range;
    return [v.x0 + ((ev.clientX - b.left) / b.width) * (v.x1 - v.x0), v.y1 - ((ev.clientY - b.top) / b.height) * (v.y1 - v.y0)];
  }

  private gauss(): number {
    return Math.sqrt(-2 * detMath.log(1 - this.random())) * detMath.cos(2 * Math.PI * this.random());
  }

  private addBlob(x: number, y: number, count: number): void {
    if (!this.view().drawnData) this.clear();
    const r = this.view().range;
    const s = 0.015 * (r.x1 - r.x0);
    for (let k = 0; k < count; k++) this.points.push(quantize(x + s * this.gauss()), quantize(y + s * this.gauss()));
    this.events.changed(Float32Array.from(this.points));
  }

  private commit(): void {
    if (this.points.length < 8) return;
    this.events.commit(Float32Array.from(this.points), this.range ?? this.view().range);
  }

  private down(ev: PointerEvent): void {
    if (!this.on) return;
    ev.preventDefault();
    this.canvas.setPointerCapture(ev.pointerId);
    this.stroke = true;
    if (!this.view().drawnData) {
      this.clear();
      this.events.begin();
    }
    this.addBlob(...this.toData(ev), 6);
  }

  private end(): void {
    if (!this.stroke) return;
    this.stroke = false;
    this.commit();
  }

  private key(ev: KeyboardEvent): void {
    if (!this.on || !this.cursor) return;
    const r = this.view().range;
    const step = (ev.shiftKey ? 0.1 : 0.025) * (r.x1 - r.x0);
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    };
    if (moves[ev.key]) {
      this.cursor = [this.cursor[0] + moves[ev.key][0], this.cursor[1] + moves[ev.key][1]];
      ev.preventDefault();
    } else if (ev.key === 'Enter' || ev.key === ' ') {
      this.addBlob(this.cursor[0], this.cursor[1], 30);
      this.commit();
      ev.preventDefault();
    } else if (ev.key === 'Escape') this.setMode(false);
  }
}
