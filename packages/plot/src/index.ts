/**
 * @scorefield/plot — dependency-free SVG figures for 2-D score models.
 * Every function is pure and deterministic: the same input gives the same SVG bytes.
 */
export { gridPoints, dataRange, type Range } from './range.js';
export { niceTicks, logTickExponents } from './ticks.js';
export { viridis, magma, colormap, type Colormap, type ColormapName } from './colormap.js';
export { fieldPlot, type FieldPlotOptions, type HeatLayer } from './field-plot.js';
export { scatterPlot, type ScatterPlotOptions } from './scatter-plot.js';
export { linePlot, type LinePlotOptions, type LineSeries } from './line-plot.js';
export { imageGrid, type ImageGridOptions } from './image-grid.js';
export { esc as escapeXml } from './svg.js';
