/**
 * The toolbar (train, pause, step, reset, sample / stop), the exports (model, samples, PNG, link), the
 * noise-level sliders, the display toggles and files of points (chosen or dropped; read in the worker,
 * with a progress bar).
 */
import { formatCsv } from '@scorefield/formats';
import type { App } from './app.js';
import { statusText } from './refresh.js';

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

/** A line in the status until the runs' state changes. */
function note(app: App, text: string): void {
  app.note = { text, about: statusText(app, false) };
}

export function bindActions(app: App): void {
  const { el } = app;
  app.bindControls();
  el.train.addEventListener('click', () => app.start());
  el.pause.addEventListener('click', () => {
    for (const p of app.active) p.pause();
  });
  el.step.addEventListener('click', () => {
    for (const p of app.active) p.stepOnce();
  });
  el.reset.addEventListener('click', () => app.configure(app.panes[0].shown.range, app.state));
  el.sample.addEventListener('click', () => (app.active.some((p) => p.view.sampling) ? app.stopSampling() : app.requestSample()));
  const suffix = (i: number) => (app.active.length > 1 ? `-${'ab'[i]}` : '');
  el.exportModel.addEventListener('click', async () => {
    el.exportMenu.open = false;
    for (const [i, p] of app.active.entries()) {
      const reply = await p.link.exportModel(p.view.id);
      const name = reply.name.replace(/\.safetensors$/, `${suffix(i)}.safetensors`);
      download(new Blob([reply.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), name);
      note(app, `Exported ${name} (${reply.bytes.length} bytes).`);
    }
  });
  el.exportSamples.addEventListener('click', () => {
    el.exportMenu.open = false;
    app.active.forEach((p, i) => {
      const samples = p.view.samples;
      if (!samples) return;
      // A row per sample: 2 coordinates, or the pixels of an image (as `scorefield sample` writes them).
      const shape = p.shown.image,
        cols = shape ? shape.width * shape.height : 2;
      // A file's column names head the samples, as `scorefield sample` writes them from the model.
      const names = !shape && app.state.data === 'file' ? app.fileData?.names : undefined;
      const csv = formatCsv({ data: Float64Array.from(samples), rows: samples.length / cols, cols }, { header: names ?? true });
      download(new Blob([csv], { type: 'text/csv' }), `samples-${p.view.sampler}-seed${app.state.sampleSeed}${suffix(i)}.csv`);
    });
  });
  el.exportPng.addEventListener('click', () => {
    el.exportMenu.open = false;
    app.active.forEach((p, i) =>
      p.exportCanvas().toBlob((blob) => {
        if (blob) download(blob, `scorefield-${p.shown.name || app.state.data}-step${p.view.step}${suffix(i)}.png`);
      }, 'image/png'),
    );
  });
  el.copyLink.addEventListener('click', async () => {
    el.exportMenu.open = false;
    try {
      await navigator.clipboard.writeText(location.href);
      note(app, 'Link copied: it reproduces this run (same settings, same seed, same steps).');
    } catch {
      note(app, `Link (reproduces this run): ${location.href}`);
    }
  });

  for (const name of ['heat', 'showArrows', 'showTrue', 'showData', 'showSamples'] as const)
    el[name].addEventListener('change', () => {
      for (const p of app.panes) p.invalidate();
    });
  el.lossLog.addEventListener('change', () => {
    for (const p of app.panes) p.view.lossDirty = true;
  });
  ([el.levelA, el.levelB] as const).forEach((input, i) =>
    input.addEventListener('input', () => {
      const p = app.panes[i];
      if (p) p.view.fieldLevel = Number(input.value);
    }),
  );

  el.draw.addEventListener('click', () => app.drawing.setMode(!app.drawing.on));
  el.clearDrawn.addEventListener('click', () => {
    const prev = app.state;
    app.drawing.clear();
    app.drawing.on = true;
    app.state = { ...app.state, data: 'drawn', points: undefined };
    app.configure(undefined, prev);
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

/** Reads a file of points in the worker (the formats package's checks, a progress bar) and starts a run on it. */
async function loadFile(app: App, file: File): Promise<void> {
  app.notices.clear('file');
  app.reading = { name: file.name, fraction: 0 };
  const reply = await app.panes[0].link.loadFile(file, (fraction) => {
    if (app.reading) app.reading.fraction = fraction;
  });
  app.reading = null;
  const fail = (message: string) => app.notices.set('file', 'error', message);
  if (reply.type === 'file-error') return fail(reply.message);
  if (reply.cols !== 2)
    return fail(`${file.name}: the web app shows 2-D data; this file has ${reply.cols} columns (the CLI trains on any dimension)`);
  if (reply.rows < 2) return fail(`${file.name}: need at least 2 points, got ${reply.rows}`);
  const prev = app.state;
  app.fileData = { name: file.name, data: reply.data, rows: reply.rows, ...(reply.names && { names: reply.names }) };
  app.drawing.on = false;
  app.state = { ...app.state, data: 'file', points: undefined };
  app.configure(undefined, prev);
}
