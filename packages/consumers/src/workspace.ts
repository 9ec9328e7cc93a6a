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

/** The workspace's own pnpm (a root devDependency, so `npm test` needs no global one). */
export const pnpm = join(repo, 'node_modules', '.bin', 'pnpm');

/** Packs a package into `dest` as `pnpm publish` would (workspace:* rewritten to versions); returns the tarball's path. */
export function pack(p: WorkspacePackage, dest: string): string {
  const out = execFileSync(pnpm, ['pack', '--pack-destination', dest], { cwd: join(repo, p.dir), encoding: 'utf8' });
  const tarball = out.trim().split('\n').pop()!.trim();
  if (!tarball.endsWith('.tgz')) throw new Error(`pnpm pack in ${p.dir} printed no tarball: ${out}`);
  return tarball;
}
