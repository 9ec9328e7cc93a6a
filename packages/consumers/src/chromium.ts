// Debian's headless Chromium driven by playwright-core (no browser download), with the flags this machine needs.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.SCOREFIELD_CHROMIUM ?? '/usr/bin/chromium';
/** Locally without Chromium the browser tests are skipped with a notice; in CI (CI set) a missing browser fails them. */
export const skipBrowser = !process.env.CI && !existsSync(CHROMIUM);
if (skipBrowser) console.warn(`consumers: browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium); CI runs them`);

export async function launch(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'scorefield-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
