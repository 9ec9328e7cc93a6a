// `npm run pack-libs` (after `npm run quickstart`, which installs and builds the workspace): every published package
// packed into one folder, default out/packages, as `pnpm publish` packs it (`workspace:*` becomes the version, `files`
// decides the contents). Install the tarballs together in a project outside the repo: npm install <folder>/*.tgz
// (the @scorefield packages depend on each other and are not on the npm registry). packages/consumers' tests run
// this script and that install. `node scripts/pack-libs.mjs <folder>` packs into another folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const dest = resolve(process.argv[2] ?? join(repo, 'out', 'packages'));
const pnpm = join(repo, 'node_modules', '.bin', 'pnpm');
if (!existsSync(pnpm)) {
  console.error('pack-libs: the workspace is not installed (no node_modules/.bin/pnpm): run `npm run quickstart` first');
  process.exit(1);
}
mkdirSync(dest, { recursive: true });
for (const group of ['packages', 'apps'])
  for (const name of readdirSync(join(repo, group)).sort()) {
    const dir = join(repo, group, name);
    if (!existsSync(join(dir, 'package.json'))) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    if (!existsSync(join(dir, 'dist'))) {
      console.error(`pack-libs: ${group}/${name} is not built (no dist/): run \`npm run pack-libs\` (it builds first) or \`pnpm build\``);
      process.exit(1);
    }
    const out = execFileSync(pnpm, ['pack', '--pack-destination', dest], { cwd: dir, encoding: 'utf8' });
    const tarball = out.trim().split('\n').pop().trim();
    if (!tarball.endsWith('.tgz')) throw new Error(`pnpm pack in ${group}/${name} printed no tarball: ${out}`);
    console.log(`${manifest.name} ${manifest.version} ${relative(process.cwd(), tarball) || tarball}`);
  }
