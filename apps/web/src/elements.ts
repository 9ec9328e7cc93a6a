/**
 * Every element of index.html the page script uses, by name, with its type: looked up once at start
 * (a missing or mistyped element fails there, naming it), then used as typed properties. The id of an
 * element is its name in kebab case (`exportModel` is `#export-model`).
 */
const registry = {
  // toolbar
  train: HTMLButtonElement,
  pause: HTMLButtonElement,
  step: HTMLButtonElement,
  reset: HTMLButtonElement,
  sample: HTMLButtonElement,
  exportMenu: HTMLDetailsElement,
  exportModel: HTMLButtonElement,
  exportSamples: HTMLButtonElement,
  exportPng: HTMLButtonElement,
  copyLink: HTMLButtonElement,
  // messages
  status: HTMLParagraphElement,
  fileProgress: HTMLDivElement,
  fileLabel: HTMLLabelElement,
  fileBar: HTMLProgressElement,
  notices: HTMLUListElement,
  // the runs
  layout: HTMLElement,
  paneA: HTMLElement,
  paneB: HTMLElement,
  titleA: HTMLElement,
  titleB: HTMLElement,
  dropZone: HTMLDivElement,
  view: HTMLCanvasElement,
  viewB: HTMLCanvasElement,
  dropHint: HTMLParagraphElement,
  draw: HTMLButtonElement,
  clearDrawn: HTMLButtonElement,
  digitsToggle: HTMLLabelElement,
  showDigits: HTMLInputElement,
  sigmaA: HTMLDivElement,
  sigmaB: HTMLDivElement,
  levelA: HTMLInputElement,
  levelB: HTMLInputElement,
  levelOutA: HTMLOutputElement,
  levelOutB: HTMLOutputElement,
  // metrics and display
  metrics: HTMLTableElement,
  lossChart: HTMLCanvasElement,
  lossLog: HTMLInputElement,
  layers: HTMLFieldSetElement,
  layersNote: HTMLParagraphElement,
  heat: HTMLSelectElement,
  showArrows: HTMLInputElement,
  showTrue: HTMLInputElement,
  showData: HTMLInputElement,
  showSamples: HTMLInputElement,
  cli: HTMLElement,
  // settings
  controls: HTMLFormElement,
  data: HTMLSelectElement,
  dataSize: HTMLInputElement,
  dataSizeLabel: HTMLLabelElement,
  dataSizeHint: HTMLParagraphElement,
  imageSizeField: HTMLDivElement,
  imageSize: HTMLSelectElement,
  dataHint: HTMLParagraphElement,
  file: HTMLInputElement,
  lossName: HTMLSelectElement,
  sigma: HTMLInputElement,
  projection: HTMLSelectElement,
  slices: HTMLInputElement,
  levelsFrom: HTMLSelectElement,
  ladderFields: HTMLDivElement,
  schedule: HTMLSelectElement,
  sigmaMax: HTMLInputElement,
  sigmaMin: HTMLInputElement,
  levels: HTMLInputElement,
  sde: HTMLSelectElement,
  veFields: HTMLDivElement,
  sdeSigmaMax: HTMLInputElement,
  sdeSigmaMin: HTMLInputElement,
  chosen: HTMLParagraphElement,
  kind: HTMLSelectElement,
  conditioning: HTMLSelectElement,
  hidden: HTMLInputElement,
  activation: HTMLSelectElement,
  lr: HTMLInputElement,
  batch: HTMLInputElement,
  seed: HTMLInputElement,
  steps: HTMLInputElement,
  ema: HTMLInputElement,
  sampler: HTMLSelectElement,
  sampleSteps: HTMLInputElement,
  stepSize: HTMLInputElement,
  particles: HTMLInputElement,
  sampleSeed: HTMLInputElement,
  autoSample: HTMLInputElement,
  compare: HTMLInputElement,
  compareOptions: HTMLDivElement,
  lossB: HTMLSelectElement,
  kindB: HTMLSelectElement,
} as const;

export type ElementName = keyof typeof registry;
export type Elements = { readonly [K in ElementName]: InstanceType<(typeof registry)[K]> };

/** The id of a registered element: its name in kebab case. */
export const idOf = (name: ElementName): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Looks up every registered element in `doc`; throws naming the first one missing or of the wrong type. */
export function findElements(doc: Document): Elements {
  const found: Partial<Record<ElementName, HTMLElement>> = {};
  for (const name of Object.keys(registry) as ElementName[]) {
    const el = doc.getElementById(idOf(name));
    if (!(el instanceof registry[name])) {
      throw new Error(`scorefield: #${idOf(name)} is ${el ? `a <${el.tagName.toLowerCase()}>, not the expected element` : 'missing'}`);
    }
    found[name] = el;
  }
  return found as Elements;
}
