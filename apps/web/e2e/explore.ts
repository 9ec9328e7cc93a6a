/** What the page lets you explore (filled in below). */
import type { Harness } from './harness.js';

export function exploreSuite(_h: Harness): void {}
