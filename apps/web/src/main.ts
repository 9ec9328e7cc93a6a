/**
 * The page: controls, URL state, rendering at the display's frame rate, and the link to the training
 * worker (see protocol.ts). The main thread never trains: it draws the latest snapshot every frame.
 */
import { activations, conditionings, projections, schedules } from '@scorefield/core-math';
import { formatCsv } from '@scorefield/formats';
import { annealedDefaults, pcDefaults } from '@scorefield/models';
import {
  cliCommand,
  datasetNames,
  decodeState,
  defaults,
  effectiveSampler,
  encodeState,
  noiseConditional,
  objectiveNames,
  objectiveSpec,
  parseHidden,
  quantize,
  samplerAvailability,
  validateState,
  type AppState,
  type SamplerName,
} from './state.js';
import type { FromWorker, Range, ToWorker, TrainConfig } from './protocol.js';
import { drawBase, drawFrame, drawLoss, heatValues, paintHeat, type FieldSnapshot, type HeatMode, type ViewLayers } from './render.js';
import { fieldSignature } from './field.js';

// ---------- elements ----------
const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`scorefield: #${id} is missing from the page`);
  return el as T;
};
const input = (id: string) => $<HTMLInputElement>(id);
const select = (id: string) => $<HTMLSelectElement>(id);
const button = (id: string) => $<HTMLButtonElement>(id);

const viewCanvas = $<HTMLCanvasElement>('view');
const lossCanvas = $<HTMLCanvasElement>('loss');
const viewCtx = viewCanvas.getContext('2d')!;
const lossCtx = lossCanvas.getContext('2d')!;
const heatCanvas = document.createElement('canvas');
/** The view's slowly changing layers (heatmap, data, arrows), redrawn only when they change. */
const baseCanvas = document.createElement('canvas');

function options(sel: HTMLSelectElement, items: [string, string][]): void {
  sel.replaceChildren(...items.map(([value, text]) => new Option(text, value)));
}
options(
  select('loss-name'),
  objectiveNames.map((n) => [
    n,
    (
      {
        esm: 'esm: exact score matching',
        ssm: 'ssm: sliced',
        'ssm-vr': 'ssm-vr: sliced, variance reduced',
        dsm: 'dsm: denoising',
        ncsn: 'ncsn: multi-level denoising',
        continuous: 'continuous: VE/VP SDE',
      } as Record<string, string>
    )[n] ?? n,
  ]),
);
options(
  select('projection'),
  Object.keys(projections).map((p) => [p, p]),
);
options(
  select('schedule'),
  Object.keys(schedules).map((s) => [s, s]),
);
options(select('conditioning'), [['auto', 'default for the loss'], ...Object.keys(conditionings).map((c): [string, string] => [c, c])]);
options(
  select('activation'),
  Object.keys(activations).map((a) => [a, a]),
);

// ---------- state ----------
const decoded = decodeState(location.hash);
let state: AppState = decoded.state;
let fileData: { name: string; data: Float64Array; rows: number } | null = null;

const vm = {
  run: 0,
  ready: false,
  build: '',
  threads: 1,
  configured: false,
  step: 0,
  target: 0,
  running: false,
  rate: 0,
  trainShare: 0,
  losses: new Float32Array(4096),
  count: 0,
  lossDirty: true,
  field: null as FieldSnapshot | null,
  firstField: null as { step: number; meanNorm: number; hash: number } | null,
  heatDirty: true,
  /** The base layers need a redraw (field, data, layers, size). */
  baseDirty: true,
  heatLegend: '',
  hasHeat: false,
  data: null as Float32Array | null,
  dataRows: 0,
  dataName: '',
  range: { x0: -4, x1: 4, y0: -4, y1: 4 } as Range,
  exact: false,
  fisher: undefined as number | undefined,
  fisherNoise: 0,
  mmd: undefined as number | undefined,
  sampling: false,
  frames: [] as { step: number; steps: number; sigma?: number; particles: Float32Array }[],
  pendingDone: null as Extract<FromWorker, { type: 'sample-done' }> | null,
  particles: null as Float32Array | null,
  firstParticles: null as Float32Array | null,
  sigmasShown: [] as number[],
  samples: null as Float32Array | null,
  sampler: 'langevin' as SamplerName,
  footer: '',
  sigmaText: '–',
  lastAutoSample: '',
  errors: [] as string[],
  fps: 0,
  fpsHistory: [] as number[],
  /** Main-thread time per frame (ms, moving average). */
  frameMs: 0,
  drawing: false,
  drawMode: false,
  drawn: [] as number[],
  drawRange: null as Range | null,
  cursor: null as [number, number] | null,
};

// ---------- worker ----------
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'scorefield-trainer' });
const send = (msg: ToWorker, transfer: Transferable[] = []) => worker.postMessage(msg, transfer);
const exportWaiters = new Map<number, (m: Extract<FromWorker, { type: 'model-bytes' }>) => void>();
let exportId = 0;

worker.onerror = (e) => showError(`the training worker failed to start: ${e.message || 'unknown error'}`);
worker.onmessage = (ev: MessageEvent<FromWorker>) => {
  const m = ev.data;
  if (m.type === 'ready') {
    vm.ready = true;
    vm.build = m.build;
    vm.threads = m.threads;
    const threads = m.threads > 1 ? `, ${m.threads} threads` : '';
    $('m-build').textContent = `${m.build === 'simd' ? 'WASM SIMD' : 'WASM scalar'}${threads}`;
    setStatus(`Ready: the ${m.build === 'simd' ? 'SIMD' : 'scalar'} WebAssembly core runs in a worker${threads}. Press Train.`);
    configure();
    if (decoded.autorun) start();
    return;
  }
  if (m.type === 'file-points' || m.type === 'file-error') {
    fileWaiters.get(m.id)?.(m);
    fileWaiters.delete(m.id);
    return;
  }
  if (m.run !== vm.run) return; // from a superseded run
  switch (m.type) {
    case 'data':
      vm.baseDirty = true;
      vm.data = m.shown;
      vm.dataRows = m.rows;
      vm.dataName = m.name;
      vm.range = m.range;
      vm.exact = m.exact;
      updateAvailability();
      break;
    case 'progress':
      onProgress(m);
      break;
    case 'field':
      vm.field = {
        step: m.step,
        range: m.range,
        grid: m.grid,
        score: m.score,
        logDensity: m.logDensity,
        trueScore: m.trueScore,
        noise: m.noise,
      };
      if (!vm.firstField) vm.firstField = { step: m.step, ...fieldSignature(m.score) };
      vm.heatDirty = true;
      break;
    case 'metrics':
      vm.fisher = m.fisher;
      vm.fisherNoise = m.fisherNoise ?? 0;
      $('m-fisher').textContent =
        m.fisher === undefined
          ? 'n/a (no exact score)'
          : `${m.fisher.toPrecision(3)}${m.fisherNoise ? ` (σ=${m.fisherNoise.toPrecision(2)})` : ''}`;
      break;
    case 'sample-start':
      vm.sampling = true;
      vm.firstParticles = null;
      vm.sigmasShown = [];
      vm.frames = [];
      vm.pendingDone = null;
      vm.sampler = m.sampler;
      setStatus(`Sampling ${m.n} particles with ${m.sampler}…`);
      updateButtons();
      break;
    case 'sample-frame':
      vm.firstParticles ??= m.particles.slice();
      vm.frames.push({ step: m.step, steps: m.steps, sigma: m.sigma, particles: m.particles });
      break;
    case 'sample-done':
      vm.pendingDone = m;
      break;
    case 'model-bytes':
      exportWaiters.get(m.id)?.(m);
      exportWaiters.delete(m.id);
      break;
    case 'error':
      vm.sampling = false;
      showError(m.message);
      updateButtons();
      break;
  }
};

function onProgress(m: Extract<FromWorker, { type: 'progress' }>): void {
  if (m.first + m.losses.length > vm.losses.length) {
    const grown = new Float32Array(Math.max(vm.losses.length * 2, m.first + m.losses.length));
    grown.set(vm.losses.subarray(0, vm.count));
    vm.losses = grown;
  }
  vm.losses.set(m.losses, m.first);
  vm.count = m.first + m.losses.length;
  vm.lossDirty = true;
  const wasRunning = vm.running;
  vm.step = m.step;
  vm.target = m.target;
  vm.running = m.running;
  vm.rate = m.stepsPerSecond;
  $('m-step').textContent = `${m.step} / ${m.target}`;
  vm.trainShare = m.trainShare;
  if (m.stepsPerSecond > 0) {
    $('m-rate').textContent = m.stepsPerSecond.toFixed(0);
    $('m-rate').title =
      `${(100 * m.trainShare).toFixed(0)}% of the worker's time in Adam steps (the rest: field snapshots, metrics, messages)`;
  }
  if (vm.count > 0) {
    const tail = vm.losses.subarray(Math.max(0, vm.count - 50), vm.count);
    $('m-loss').textContent = (tail.reduce((s, v) => s + v, 0) / tail.length).toPrecision(4);
  }
  if (wasRunning && !m.running) {
    if (m.step >= m.target) {
      setStatus(`Reached the steps target: ${m.step} steps.${autoSample() ? ' Sampling…' : ''}`);
      if (autoSample()) {
        const key = `${vm.run}:${m.step}`;
        if (vm.lastAutoSample !== key) {
          vm.lastAutoSample = key;
          requestSample();
        }
      }
    } else setStatus(`Paused at step ${m.step}.`);
  } else if (!wasRunning && m.running) setStatus(`Training… (target ${m.target} steps)`);
  updateButtons();
}

const autoSample = () => input('auto-sample').checked;

// ---------- runs ----------
function trainConfig(s: AppState): TrainConfig {
  return {
    hidden: s.hidden,
    activation: s.activation,
    loss: objectiveSpec(s),
    kind: s.kind,
    conditioning: s.conditioning === 'auto' ? undefined : s.conditioning,
    batch: s.batch,
    lr: s.lr,
    seed: s.seed,
    steps: s.steps,
  };
}

function hasData(s: AppState): boolean {
  if (s.data === 'drawn') return !!s.points && s.points.length >= 8;
  if (s.data === 'file') return !!fileData;
  return true;
}

/** Starts a new run from `state` (model at step 0); the previous run's messages are dropped. */
function configure(range?: Range): void {
  vm.run++;
  Object.assign(vm, {
    step: 0,
    target: state.steps,
    running: false,
    count: 0,
    lossDirty: true,
    field: null,
    firstField: null,
    heatDirty: true,
    fisher: undefined,
    mmd: undefined,
    sampling: false,
    frames: [],
    pendingDone: null,
    particles: null,
    samples: null,
    footer: '',
    sigmaText: '–',
  });
  $('m-mmd').textContent = '–';
  $('m-fisher').textContent = '–';
  $('m-loss').textContent = '–';
  $('m-sigma').textContent = '–';
  $('m-step').textContent = `0 / ${state.steps}`;
  hideError();
  writeHash();
  syncControls();
  if (!vm.ready) return;
  if (!hasData(state)) {
    vm.configured = false;
    if (state.data === 'drawn') vm.data = vm.drawn.length ? Float32Array.from(vm.drawn) : null;
    setStatus('Draw some points on the view (drag, or arrow keys and Enter), then Train.');
    updateButtons();
    return;
  }
  const data =
    state.data === 'drawn'
      ? { kind: 'points' as const, name: 'drawn', points: Float32Array.from(state.points!), rows: state.points!.length / 2 }
      : state.data === 'file'
        ? { kind: 'points' as const, name: fileData!.name, points: Float64Array.from(fileData!.data), rows: fileData!.rows }
        : { kind: 'builtin' as const, name: state.data, size: state.dataSize, seed: state.seed };
  vm.configured = true;
  send({ type: 'configure', run: vm.run, config: trainConfig(state), data, range });
  updateButtons();
}

function start(): void {
  if (!vm.configured) return;
  if (vm.step >= vm.target) {
    // At the target: train on for another 1000 steps (the link follows).
    state = { ...state, steps: vm.step + 1000 };
    writeHash();
    syncControls();
    send({ type: 'target', run: vm.run, steps: state.steps });
  }
  hideError();
  send({ type: 'run', run: vm.run });
}

function requestSample(): void {
  if (!vm.configured || vm.sampling) return;
  const sampler = effectiveSampler(state);
  vm.sampling = true;
  updateButtons();
  send({
    type: 'sample',
    run: vm.run,
    request: { sampler, n: state.particles, seed: state.sampleSeed, steps: state.sampleSteps, stepSize: state.stepSize },
  });
}

// ---------- controls <-> state ----------
function writeHash(): void {
  const hash = `#${encodeState(state)}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
  const cmd =
    cliCommand(state) ??
    (state.data === 'file' && fileData
      ? cliCommand({ ...state, data: '8gaussians' })!.replace('--data 8gaussians', `--data ${fileData.name}`)
      : null);
  $('cli').textContent = cmd ?? 'drawn points are not on the command line (export the samples, or load a file instead)';
}

function syncControls(): void {
  const s = state;
  const dataSel = select('data');
  const items: [string, string][] = datasetNames.map((n) => [n, n]);
  items.push(['drawn', s.points || vm.drawn.length ? 'drawn points' : 'drawn points (draw on the view)']);
  if (fileData) items.push(['file', `file: ${fileData.name}`]);
  if (dataSel.options.length !== items.length || [...dataSel.options].some((o, i) => o.value !== items[i][0] || o.text !== items[i][1]))
    options(dataSel, items);
  dataSel.value = s.data;
  input('data-size').value = String(s.dataSize);
  input('data-size').disabled = !datasetNames.includes(s.data);
  select('loss-name').value = s.loss;
  input('sigma').value = String(s.sigma);
  select('projection').value = s.projection;
  input('slices').value = String(s.slices);
  select('schedule').value = s.schedule;
  input('sigma-max').value = String(s.sigmaMax);
  input('sigma-min').value = String(s.sigmaMin);
  input('levels').value = String(s.levels);
  select('sde').value = s.sde;
  select('kind').value = s.kind;
  select('conditioning').value = s.conditioning;
  const unconditional = s.loss === 'esm' || s.loss === 'ssm' || s.loss === 'ssm-vr';
  for (const o of select('conditioning').options) o.disabled = unconditional && o.value !== 'auto' && o.value !== 'none';
  input('hidden').value = s.hidden.join(',');
  select('activation').value = s.activation;
  input('lr').value = String(s.lr);
  input('batch').value = String(s.batch);
  input('seed').value = String(s.seed);
  input('steps').value = String(s.steps);
  select('sampler').value = s.sampler;
  const avail = samplerAvailability(s);
  for (const o of select('sampler').options) {
    const why = avail[o.value as SamplerName];
    o.disabled = why !== null;
    o.title = why ?? '';
  }
  const sampler = effectiveSampler(s);
  input('sample-steps').value = s.sampleSteps === undefined ? '' : String(s.sampleSteps);
  input('sample-steps').placeholder =
    sampler === 'langevin'
      ? 'from the model'
      : sampler === 'annealed'
        ? `${annealedDefaults.steps} per level`
        : sampler === 'pc'
          ? String(pcDefaults.steps)
          : 'adaptive';
  input('sample-steps').disabled = sampler === 'ode';
  input('step-size').value = s.stepSize === undefined ? '' : String(s.stepSize);
  input('step-size').placeholder = sampler === 'langevin' || sampler === 'annealed' ? 'from the model' : 'n/a';
  input('step-size').disabled = sampler === 'pc' || sampler === 'ode';
  input('particles').value = String(s.particles);
  input('sample-seed').value = String(s.sampleSeed);
  for (const el of document.querySelectorAll<HTMLElement>('[data-for]')) el.hidden = !el.dataset.for!.split(' ').includes(s.loss);
  button('draw').setAttribute('aria-pressed', String(vm.drawMode));
  viewCanvas.classList.toggle('drawing', vm.drawMode);
  updateAvailability();
}

function updateAvailability(): void {
  const exact = vm.exact && datasetNames.includes(state.data);
  input('show-true').disabled = !exact;
  const errOpt = [...select('heat').options].find((o) => o.value === 'error')!;
  errOpt.disabled = !exact;
  if (!exact && select('heat').value === 'error') select('heat').value = 'density';
  vm.heatDirty = true;
}

function updateButtons(): void {
  const ok = vm.ready && vm.configured;
  button('train').disabled = !ok || vm.running || vm.sampling;
  button('train').textContent = vm.step >= vm.target && vm.step > 0 ? 'Train 1000 more' : 'Train';
  button('pause').disabled = !ok || !vm.running;
  button('step').disabled = !ok || vm.sampling || vm.step >= vm.target;
  button('reset').disabled = !ok || vm.sampling;
  button('sample').disabled = !ok || vm.sampling;
  button('export-model').disabled = !ok;
  button('export-samples').disabled = !vm.samples;
  button('export-png').disabled = !vm.ready;
}

type Kind = 'data' | 'train' | 'target' | 'sampler';
/** Reads the controls into a new state; marks invalid ones (aria-invalid) and returns null if any is invalid. */
function readControls(): AppState | null {
  const s: AppState = { ...state };
  let ok = true;
  const num = (id: string, check: (v: number) => boolean, set: (v: number) => void, optional = false) => {
    const el = input(id),
      raw = el.value.trim(),
      v = Number(raw);
    const valid = optional && raw === '' ? true : raw !== '' && check(v);
    el.setAttribute('aria-invalid', String(!valid));
    if (valid && !(optional && raw === '')) set(v);
    ok &&= valid;
  };
  const int = (min: number, max: number) => (v: number) => Number.isInteger(v) && v >= min && v <= max;
  const pos = (v: number) => Number.isFinite(v) && v > 0;
  s.data = select('data').value;
  num('data-size', int(2, 1_000_000), (v) => {
    s.dataSize = v;
  });
  s.loss = select('loss-name').value as AppState['loss'];
  num('sigma', pos, (v) => {
    s.sigma = v;
  });
  s.projection = select('projection').value as AppState['projection'];
  num('slices', int(1, 4096), (v) => {
    s.slices = v;
  });
  s.schedule = select('schedule').value as AppState['schedule'];
  num('sigma-max', pos, (v) => {
    s.sigmaMax = v;
  });
  num('sigma-min', pos, (v) => {
    s.sigmaMin = v;
  });
  num('levels', int(2, 10_000), (v) => {
    s.levels = v;
  });
  if (s.sigmaMin >= s.sigmaMax) {
    input('sigma-min').setAttribute('aria-invalid', 'true');
    ok = false;
  }
  s.sde = select('sde').value as AppState['sde'];
  s.kind = select('kind').value as AppState['kind'];
  s.conditioning = select('conditioning').value as AppState['conditioning'];
  const hidden = parseHidden(input('hidden').value);
  input('hidden').setAttribute('aria-invalid', String(!hidden));
  if (hidden) s.hidden = hidden;
  else ok = false;
  s.activation = select('activation').value as AppState['activation'];
  num('lr', pos, (v) => {
    s.lr = v;
  });
  num('batch', int(1, 65_536), (v) => {
    s.batch = v;
  });
  num('seed', int(0, 2 ** 32 - 1), (v) => {
    s.seed = v;
  });
  num('steps', int(1, 10_000_000), (v) => {
    s.steps = v;
  });
  s.sampler = select('sampler').value as SamplerName;
  s.sampleSteps = undefined;
  s.stepSize = undefined;
  num(
    'sample-steps',
    int(1, 100_000),
    (v) => {
      s.sampleSteps = v;
    },
    true,
  );
  num(
    'step-size',
    pos,
    (v) => {
      s.stepSize = v;
    },
    true,
  );
  num('particles', int(2, 20_000), (v) => {
    s.particles = v;
  });
  num('sample-seed', int(0, 2 ** 32 - 1), (v) => {
    s.sampleSeed = v;
  });
  if (validateState(s) !== null) s.conditioning = 'auto';
  if (!ok) showError('Some settings are invalid (marked); fix them to apply.');
  return ok ? s : null;
}

function onControlChange(kind: Kind): void {
  const next = readControls();
  if (!next) return;
  hideError();
  const prev = state;
  state = next;
  if (kind === 'sampler') {
    writeHash();
    syncControls();
    return;
  }
  if (kind === 'target' && next.steps > vm.step) {
    writeHash();
    syncControls();
    send({ type: 'target', run: vm.run, steps: next.steps });
    updateButtons();
    return;
  }
  if (kind === 'data' && next.data !== prev.data) {
    if (next.data === 'drawn') {
      vm.drawMode = true;
      if (!next.points && vm.drawn.length >= 8) state = { ...next, points: Float32Array.from(vm.drawn) };
    } else vm.drawMode = false;
  }
  configure(kind === 'data' && state.data === 'drawn' ? (vm.drawRange ?? undefined) : undefined);
}

const controlKinds: Record<string, Kind> = {
  data: 'data',
  'data-size': 'data',
  'loss-name': 'train',
  sigma: 'train',
  projection: 'train',
  slices: 'train',
  schedule: 'train',
  'sigma-max': 'train',
  'sigma-min': 'train',
  levels: 'train',
  sde: 'train',
  kind: 'train',
  conditioning: 'train',
  hidden: 'train',
  activation: 'train',
  lr: 'train',
  batch: 'train',
  seed: 'train',
  steps: 'target',
  sampler: 'sampler',
  'sample-steps': 'sampler',
  'step-size': 'sampler',
  particles: 'sampler',
  'sample-seed': 'sampler',
};
for (const [id, kind] of Object.entries(controlKinds)) $(id).addEventListener('change', () => onControlChange(kind));
$('controls').addEventListener('submit', (e) => e.preventDefault());

window.addEventListener('hashchange', () => {
  const d = decodeState(location.hash);
  if (encodeState(d.state) === encodeState(state)) return;
  state = d.state;
  if (d.warnings.length) showError(d.warnings.join('; '));
  configure();
});

// ---------- buttons ----------
button('train').addEventListener('click', start);
button('pause').addEventListener('click', () => send({ type: 'pause', run: vm.run }));
button('step').addEventListener('click', () => send({ type: 'step', run: vm.run }));
button('reset').addEventListener('click', () => configure(vm.range));
button('sample').addEventListener('click', requestSample);
button('export-model').addEventListener('click', async () => {
  const id = ++exportId;
  const reply = await new Promise<Extract<FromWorker, { type: 'model-bytes' }>>((resolve) => {
    exportWaiters.set(id, resolve);
    send({ type: 'export-model', run: vm.run, id });
  });
  download(new Blob([reply.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), reply.name);
  setStatus(`Exported ${reply.name} (${reply.bytes.length} bytes).`);
});
button('export-samples').addEventListener('click', () => {
  if (!vm.samples) return;
  const csv = formatCsv({ data: Float64Array.from(vm.samples), rows: vm.samples.length / 2, cols: 2 });
  download(new Blob([csv], { type: 'text/csv' }), `samples-${vm.sampler}-seed${state.sampleSeed}.csv`);
});
button('export-png').addEventListener('click', () => {
  viewCanvas.toBlob((blob) => {
    if (blob) download(blob, `scorefield-${vm.dataName || state.data}-step${vm.step}.png`);
  }, 'image/png');
});
button('copy-link').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(location.href);
    setStatus('Link copied: it reproduces this run (same settings, same seed, same steps).');
  } catch {
    setStatus(`Link (reproduces this run): ${location.href}`);
  }
});

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---------- layers ----------
const layers = (): ViewLayers => ({
  heat: select('heat').value as HeatMode,
  arrows: input('show-arrows').checked,
  trueArrows: input('show-true').checked && !input('show-true').disabled,
  data: input('show-data').checked,
  samples: input('show-samples').checked,
});
for (const id of ['heat', 'show-arrows', 'show-true', 'show-data', 'show-samples'])
  $(id).addEventListener('change', () => {
    vm.heatDirty = true;
  });

// ---------- drawing points and dropping files ----------
button('draw').addEventListener('click', () => {
  vm.drawMode = !vm.drawMode;
  if (vm.drawMode) {
    vm.cursor = vm.cursor ?? [(vm.range.x0 + vm.range.x1) / 2, (vm.range.y0 + vm.range.y1) / 2];
    setStatus('Draw mode: drag on the view (or focus it, move with the arrow keys, press Enter) to add points; press Draw again to stop.');
  } else vm.cursor = null;
  syncControls();
});
button('clear-drawn').addEventListener('click', () => {
  vm.drawn = [];
  vm.drawMode = true;
  vm.drawRange = { ...vm.range };
  state = { ...state, data: 'drawn', points: undefined };
  configure();
});

function toData(ev: PointerEvent): [number, number] {
  const r = viewCanvas.getBoundingClientRect(),
    v = vm.range;
  return [v.x0 + ((ev.clientX - r.left) / r.width) * (v.x1 - v.x0), v.y1 - ((ev.clientY - r.top) / r.height) * (v.y1 - v.y0)];
}

function gauss(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

function addBlob(x: number, y: number, count: number): void {
  if (state.data !== 'drawn') {
    vm.drawn = [];
    vm.drawRange = { ...vm.range };
  }
  const s = 0.015 * (vm.range.x1 - vm.range.x0);
  for (let k = 0; k < count; k++) vm.drawn.push(quantize(x + s * gauss()), quantize(y + s * gauss()));
  vm.data = Float32Array.from(vm.drawn);
  vm.baseDirty = true;
}

function commitDrawing(): void {
  if (vm.drawn.length < 8) return;
  state = { ...state, data: 'drawn', points: Float32Array.from(vm.drawn) };
  configure(vm.drawRange ?? vm.range);
}

viewCanvas.addEventListener('pointerdown', (ev) => {
  if (!vm.drawMode) return;
  ev.preventDefault();
  viewCanvas.setPointerCapture(ev.pointerId);
  vm.drawing = true;
  if (state.data !== 'drawn') {
    vm.drawn = [];
    vm.drawRange = { ...vm.range };
    state = { ...state, data: 'drawn', points: undefined };
    if (vm.configured) send({ type: 'pause', run: vm.run });
    vm.configured = false;
    vm.run++; // drop messages of the old run while drawing
    vm.field = null;
    vm.heatDirty = true;
  }
  const [x, y] = toData(ev);
  addBlob(x, y, 6);
});
viewCanvas.addEventListener('pointermove', (ev) => {
  if (!vm.drawing) return;
  const [x, y] = toData(ev);
  addBlob(x, y, 3);
});
const endStroke = () => {
  if (!vm.drawing) return;
  vm.drawing = false;
  commitDrawing();
};
viewCanvas.addEventListener('pointerup', endStroke);
viewCanvas.addEventListener('pointercancel', endStroke);
viewCanvas.addEventListener('keydown', (ev) => {
  if (!vm.drawMode || !vm.cursor) return;
  const step = (ev.shiftKey ? 0.1 : 0.025) * (vm.range.x1 - vm.range.x0);
  const moves: Record<string, [number, number]> = {
    ArrowLeft: [-step, 0],
    ArrowRight: [step, 0],
    ArrowUp: [0, step],
    ArrowDown: [0, -step],
  };
  if (moves[ev.key]) {
    vm.cursor = [vm.cursor[0] + moves[ev.key][0], vm.cursor[1] + moves[ev.key][1]];
    ev.preventDefault();
  } else if (ev.key === 'Enter' || ev.key === ' ') {
    addBlob(vm.cursor[0], vm.cursor[1], 30);
    commitDrawing();
    ev.preventDefault();
  } else if (ev.key === 'Escape') {
    vm.drawMode = false;
    vm.cursor = null;
    syncControls();
  }
});

/** Files are read in the worker (file-points.ts: the formats package's size, line and value checks). */
const fileWaiters = new Map<number, (m: Extract<FromWorker, { type: 'file-points' | 'file-error' }>) => void>();
let fileId = 0;

async function loadFile(file: File): Promise<void> {
  try {
    const id = ++fileId;
    const reply = await new Promise<Extract<FromWorker, { type: 'file-points' | 'file-error' }>>((resolve) => {
      fileWaiters.set(id, resolve);
      send({ type: 'load-file', id, file });
    });
    if (reply.type === 'file-error') throw new Error(reply.message);
    const m = reply;
    if (m.cols !== 2)
      throw new Error(`${file.name}: the web app shows 2-D data; this file has ${m.cols} columns (the CLI trains on any dimension)`);
    if (m.rows < 2) throw new Error(`${file.name}: need at least 2 points, got ${m.rows}`);
    fileData = { name: file.name, data: m.data, rows: m.rows };
    vm.drawMode = false;
    state = { ...state, data: 'file', points: undefined };
    configure();
    setStatus(`Loaded ${m.rows} points from ${file.name}. Press Train.`);
  } catch (e) {
    showError((e as Error).message);
  }
}
input('file').addEventListener('change', () => {
  const f = input('file').files?.[0];
  if (f) void loadFile(f);
  input('file').value = '';
});
const zone = $('drop-zone');
zone.addEventListener('dragover', (ev) => {
  ev.preventDefault();
  $('drop-hint').hidden = false;
});
zone.addEventListener('dragleave', () => {
  $('drop-hint').hidden = true;
});
zone.addEventListener('drop', (ev) => {
  ev.preventDefault();
  $('drop-hint').hidden = true;
  const f = ev.dataTransfer?.files?.[0];
  if (f) void loadFile(f);
});

// ---------- status ----------
function setStatus(text: string): void {
  $('status').textContent = text;
}
function showError(text: string): void {
  vm.errors.push(text);
  const el = $('error');
  el.textContent = text;
  el.hidden = false;
}
function hideError(): void {
  $('error').hidden = true;
}

// ---------- rendering ----------
function resize(): void {
  const dpr = Math.min(window.devicePixelRatio || 1, 2);
  const w = Math.round(viewCanvas.clientWidth * dpr) || 640;
  if (viewCanvas.width !== w) {
    viewCanvas.width = w;
    viewCanvas.height = w;
    vm.baseDirty = true;
  }
  const lw = Math.round(lossCanvas.clientWidth * dpr) || 640,
    lh = Math.round(lossCanvas.clientHeight * dpr) || 140;
  if (lossCanvas.width !== lw || lossCanvas.height !== lh) {
    lossCanvas.width = lw;
    lossCanvas.height = lh;
    vm.lossDirty = true;
  }
}
new ResizeObserver(resize).observe(viewCanvas);
new ResizeObserver(resize).observe(lossCanvas);

let frames = 0,
  fpsT0 = performance.now();
function frame(now: number): void {
  frames++;
  if (now - fpsT0 >= 1000) {
    vm.fps = (frames * 1000) / (now - fpsT0);
    if (vm.running || vm.sampling) vm.fpsHistory.push(vm.fps);
    if (vm.fpsHistory.length > 120) vm.fpsHistory.shift();
    $('m-fps').textContent = vm.fps.toFixed(0);
    frames = 0;
    fpsT0 = now;
  }
  // Sampling animation: one frame per display frame (skipping ahead when the queue is long).
  if (vm.frames.length) {
    const take = Math.max(1, Math.ceil(vm.frames.length / 60));
    const f = vm.frames.splice(0, take).pop()!;
    vm.particles = f.particles;
    const sig = f.sigma !== undefined && (vm.sampler !== 'langevin' || conditioned()) ? ` · σ = ${f.sigma.toPrecision(3)}` : '';
    vm.footer = `${vm.sampler}: step ${f.step} / ${f.steps}${sig}`;
    vm.sigmaText = sig ? f.sigma!.toPrecision(3) : 'n/a';
    if (sig && vm.sigmasShown[vm.sigmasShown.length - 1] !== f.sigma) vm.sigmasShown.push(f.sigma!);
    $('m-sigma').textContent = vm.sigmaText;
  } else if (vm.pendingDone) {
    const d = vm.pendingDone;
    vm.pendingDone = null;
    vm.samples = d.samples;
    vm.particles = d.samples;
    vm.mmd = d.mmd;
    vm.sampling = false;
    vm.footer = `${d.sampler}: ${d.samples.length / 2} samples at step ${d.step}`;
    $('m-mmd').textContent = `${d.mmd.toPrecision(3)} (step ${d.step})`;
    setStatus(
      `Sampled ${d.samples.length / 2} particles with ${d.sampler} in ${d.seconds.toFixed(2)} s (${d.evaluations} score evaluations each).`,
    );
    updateButtons();
  }
  const L = layers();
  if (vm.heatDirty) {
    vm.heatDirty = false;
    vm.baseDirty = true;
    const h = vm.field ? heatValues(vm.field, L.heat, state.kind) : null;
    vm.hasHeat = !!h;
    if (h) {
      paintHeat(heatCanvas, vm.field!.grid, h.t, h.map);
      vm.heatLegend = h.legend;
    }
  }
  const dataLabel = state.data === 'file' && fileData ? fileData.name : state.data === 'drawn' ? 'drawn points' : state.data;
  const content = {
    range: vm.range,
    field: vm.field,
    data: vm.data,
    particles: vm.particles,
    cursor: vm.drawMode ? vm.cursor : null,
    labels: [`${dataLabel} · ${state.loss} · ${state.kind} · step ${vm.step}`],
    footer: vm.footer,
    pixelRatio: viewCanvas.width / Math.max(1, viewCanvas.clientWidth),
  };
  const size = viewCanvas.width;
  if (vm.baseDirty || baseCanvas.width !== size) {
    vm.baseDirty = false;
    baseCanvas.width = size;
    baseCanvas.height = size;
    drawBase(baseCanvas.getContext('2d')!, size, content, L, vm.hasHeat ? heatCanvas : null);
  }
  drawFrame(viewCtx, size, baseCanvas, content, L, vm.hasHeat ? vm.heatLegend : '');
  if (vm.lossDirty) {
    vm.lossDirty = false;
    drawLoss(lossCtx, lossCanvas.width, lossCanvas.height, vm.losses, vm.count, lossCanvas.width / Math.max(1, lossCanvas.clientWidth));
  }
  vm.frameMs = 0.9 * vm.frameMs + 0.1 * (performance.now() - now);
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

function conditioned(): boolean {
  return state.conditioning === 'auto' ? noiseConditional(state) : state.conditioning !== 'none';
}

// ---------- start ----------
syncControls();
writeHash();
updateButtons();
if (decoded.warnings.length) showError(decoded.warnings.join('; '));

if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js').catch((e: Error) => setStatus(`Offline mode unavailable: ${e.message}`));
}

// A read-only window for tests and the console.
const api = {
  get ready() {
    return vm.ready && vm.configured;
  },
  get build() {
    return vm.build;
  },
  get threads() {
    return vm.threads;
  },
  get step() {
    return vm.step;
  },
  get target() {
    return vm.target;
  },
  get running() {
    return vm.running;
  },
  get sampling() {
    return vm.sampling || vm.frames.length > 0 || vm.pendingDone !== null;
  },
  get fps() {
    return vm.fps;
  },
  get frameMs() {
    return vm.frameMs;
  },
  get stepsPerSecond() {
    return vm.rate;
  },
  get trainShare() {
    return vm.trainShare;
  },
  get fpsHistory() {
    return [...vm.fpsHistory];
  },
  get errors() {
    return [...vm.errors];
  },
  get fisher() {
    return vm.fisher;
  },
  get mmd() {
    return vm.mmd;
  },
  get sigmaText() {
    return vm.sigmaText;
  },
  get run() {
    return vm.run;
  },
  losses: () => Array.from(vm.losses.subarray(0, vm.count)),
  field: () => (vm.field ? { step: vm.field.step, ...fieldSignature(vm.field.score) } : null),
  firstField: () => vm.firstField,
  samples: () => (vm.samples ? Array.from(vm.samples) : null),
  /** The particles of the first animation frame of the latest sampling run (near the start: noise). */
  firstParticles: () => (vm.firstParticles ? Array.from(vm.firstParticles) : null),
  /** The distinct noise levels shown during the latest sampling animation, in order. */
  sigmasShown: () => [...vm.sigmasShown],
  data: () => (vm.data ? Array.from(vm.data) : null),
  state: () => encodeState(state),
  defaults: () => encodeState({ ...defaults }),
};
declare global {
  interface Window {
    scorefield: typeof api;
  }
}
Object.defineProperty(window, 'scorefield', { value: Object.freeze(api) });
