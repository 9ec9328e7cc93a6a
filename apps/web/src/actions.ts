/**
 * The toolbar (train, pause, step, reset, sample), the exports (model, samples, PNG, link) and files of
 * points (chosen or dropped; read in the worker).
 */
import { formatCsv } from '@scorefield/formats';
import type { App } from './app.js';

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function bindActions(app: App): void {
  const { el, pane } = app;
  el.train.addEventListener('click', () => app.start());
  el.pause.addEventListener('click', () => pane.pause());
  el.step.addEventListener('click', () => pane.stepOnce());
  el.reset.addEventListener('click', () => app.configure(pane.shown.range));
  el.sample.addEventListener('click', () => app.requestSample());
  el.exportModel.addEventListener('click', async () => {
    const reply = await pane.link.exportModel(pane.view.id);
    download(new Blob([reply.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), reply.name);
    app.status.set(`Exported ${reply.name} (${reply.bytes.length} bytes).`);
  });
  el.exportSamples.addEventListener('click', () => {
    const samples = pane.view.samples;
    if (!samples) return;
    const csv = formatCsv({ data: Float64Array.from(samples), rows: samples.length / 2, cols: 2 });
    download(new Blob([csv], { type: 'text/csv' }), `samples-${pane.view.sampler}-seed${app.state.sampleSeed}.csv`);
  });
  el.exportPng.addEventListener('click', () => {
    el.view.toBlob((blob) => {
      if (blob) download(blob, `scorefield-${pane.shown.name || app.state.data}-step${pane.view.step}.png`);
    }, 'image/png');
  });
  el.copyLink.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      app.status.set('Link copied: it reproduces this run (same settings, same seed, same steps).');
    } catch {
      app.status.set(`Link (reproduces this run): ${location.href}`);
    }
  });

  el.file.addEventListener('change', () => {
    const f = el.file.files?.[0];
    if (f) void loadFile(app, f);
    el.file.value = '';
  });
  el.dropZone.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    el.dropHint.hidden = false;
  });
  el.dropZone.addEventListener('dragleave', () => {
    el.dropHint.hidden = true;
  });
  el.dropZone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    el.dropHint.hidden = true;
    const f = ev.dataTransfer?.files?.[0];
    if (f) void loadFile(app, f);
  });
}

/** Reads a file of points in the worker (the formats package's checks) and starts a run on it. */
async function loadFile(app: App, file: File): Promise<void> {
  const reply = await app.pane.link.loadFile(file);
  const fail = (message: string) => app.status.showError(message);
  if (reply.type === 'file-error') return fail(reply.message);
  if (reply.cols !== 2)
    return fail(`${file.name}: the web app shows 2-D data; this file has ${reply.cols} columns (the CLI trains on any dimension)`);
  if (reply.rows < 2) return fail(`${file.name}: need at least 2 points, got ${reply.rows}`);
  app.fileData = { name: file.name, data: reply.data, rows: reply.rows };
  app.drawing.on = false;
  app.state = { ...app.state, data: 'file', points: undefined };
  app.configure();
  app.status.set(`Loaded ${reply.rows} points from ${file.name}. Press Train.`);
}
