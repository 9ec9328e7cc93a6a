/**
 * End-to-end: the built app in Debian's headless Chromium (harness.ts), one browser for the suites, in
 * order: the main path against the CLI (core.ts), the regressions of issue 15 (bugs.ts), what the
 * page lets you explore (explore.ts), image mode (images.ts), and a new user's report (newuser.ts).
 * SCOREFIELD_E2E_ONLY=core,bugs runs a subset; SCOREFIELD_WEB_DIST points the tests at another build (to see a
 * regression test fail on the code before its fix).
 * Screenshots go to test-results/ (git-ignored). No frame-rate or wall-clock thresholds: those are in
 * `pnpm bench` (packages/bench, the web family).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bugsSuite } from './bugs.js';
import { coreSuite } from './core.js';
import { exploreSuite } from './explore.js';
import { CHROMIUM, Harness, skip } from './harness.js';
import { imagesSuite } from './images.js';
import { newUserSuite } from './newuser.js';

if (skip) console.warn(`e2e: skipped: ${CHROMIUM} is missing (apt-get install -y chromium); CI installs it and runs these tests`);

const only = process.env.SCOREFIELD_E2E_ONLY?.split(',');
const wanted = (name: string) => !only || only.includes(name);

describe.skipIf(skip)('web app (headless Chromium, built app)', () => {
  const h = new Harness();
  const t0 = Date.now();
  beforeAll(() => h.start(), 60_000);
  afterAll(async () => {
    await h.stop();
    console.log(`e2e: ${((Date.now() - t0) / 1000).toFixed(1)} s in the browser`);
  });

  describe.runIf(wanted('core'))('the main path, checked against the CLI', () => coreSuite(h));
  describe.runIf(wanted('bugs'))('regressions of issue 15', () => bugsSuite(h));
  describe.runIf(wanted('explore'))('exploring: noise levels, heat maps, compare, phone', () => exploreSuite(h));
  describe.runIf(wanted('images'))('image mode: MNIST, checked against the CLI', () => imagesSuite(h));
  describe.runIf(wanted('newuser'))("a new user's report: what the page says, what fits, what it shows", () => newUserSuite(h));

  it('no console errors, no failed requests, no HTTP errors', () => {
    expect(h.problems).toEqual([]);
    expect(h.server.log.filter(([status]) => status !== 200)).toEqual([]);
  });
});
