// A view into WASM memory detaches when that memory grows and reads as empty: plotting it would draw nothing,
// silently. Every entry that takes point arrays refuses it with one line.
import { describe, expect, it } from 'vitest';
import { dataRange, fieldPlot, linePlot, scatterPlot } from './index.js';

function detachedView(): Float32Array {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const view = new Float32Array(memory.buffer, 0, 8);
  memory.grow(1);
  return view;
}

describe('detached views', () => {
  const v = detachedView();
  const box = { title: 't', xRange: [-1, 1] as [number, number], yRange: [-1, 1] as [number, number] };
  const message = /is detached \(a view into WASM memory that has grown since it was taken\); pass a copy, e\.g\. buf\.toArray\(\)$/;

  it('are refused by fieldPlot, scatterPlot, linePlot and dataRange', () => {
    expect(v.length).toBe(0);
    expect(() => fieldPlot({ ...box, samples: v })).toThrow(/^fieldPlot: samples is detached/);
    expect(() => fieldPlot({ ...box, field: { points: v, vectors: v } })).toThrow(message);
    expect(() => scatterPlot({ ...box, data: v })).toThrow(/^scatterPlot: data is detached/);
    expect(() => linePlot({ ...box, series: [{ label: 'loss', y: v }] })).toThrow(/^linePlot: series 0 y is detached/);
    expect(() => dataRange([v])).toThrow(/^dataRange: an array is detached/);
  });

  it('while empty arrays (nothing to draw yet) are still fine', () => {
    expect(fieldPlot({ ...box, samples: new Float32Array(0) })).toMatch(/^<svg/);
    expect(dataRange([[]])).toEqual({ x: [-1, 1], y: [-1, 1] });
  });
});
