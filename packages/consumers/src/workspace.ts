// The workspace as published: which packages are public, and how each is packed (pnpm pack, as publishing does).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../../', import.meta.url));

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  [field: string]: unknown;
}

export interface WorkspacePackage {
  /** Folder relative to the repo, e.g. `packages/models`. */
  dir: string;
  manifest: Manifest;
}

/** Every package of the workspace (packages/*, apps/*). */
export function workspacePackages(): WorkspacePackage[] {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(repo, group), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => ({
        dir: `${group}/${e.name}`,
        manifest: JSON.parse(readFileSync(join(repo, group, e.name, 'package.json'), 'utf8')) as Manifest,
      })),
  );
}

/** The packages that are published. */
export function publishedPackages(): WorkspacePackage[] {
  return workspacePackages().filter((p) => !p.manifest.private);
}

/**
 * Runs scripts/pack-libs.mjs (the README's `npm run pack-libs`, without its build) into `dest`; returns each published
 * package's tarball by name, checked to be one per published package.
 */
export function packLibs(dest: string): Record<string, string> {
  const out = execFileSync(process.execPath, [join(repo, 'scripts', 'pack-libs.mjs'), dest], { cwd: dest, encoding: 'utf8' });
  const tarballs = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([name, , path]) => [name, join(dest, path)]),
  );
  const names = publishedPackages().map((p) => p.manifest.name);
  if (Object.keys(tarballs).sort().join() !== names.sort().join())
    throw new Error(`pack-libs packed ${Object.keys(tarballs).join(', ')}; the published packages are ${names.join(', ')}`);
  return tarballs;
}
