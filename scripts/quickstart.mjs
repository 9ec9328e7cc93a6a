// `npm run quickstart`: from a fresh clone with only Node >= 20.11 and npm, install everything, build,
// train a score model on 8gaussians, sample it with Langevin dynamics, and draw out/quickstart.svg.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

const PNPM = '10.33.0';
const run = (cmd) => {
  console.error(`\n$ ${cmd}`);
  execSync(cmd, { stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
};
const version = (cmd) => {
  try {
    return execSync(`${cmd} --version`, { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return '';
  }
};

// The workspace pins pnpm as a devDependency, so after the install it sits in node_modules/.bin, where
// `npm test` and `npm run ...` (and the turbo they start) find it: no global pnpm is ever needed.
// The first install uses the pinned pnpm already there, this machine's if it is that version, or npx's.
const local = 'node_modules/.bin/pnpm';
const pnpm = existsSync(local) && version(local) === PNPM ? local : version('pnpm') === PNPM ? 'pnpm' : `npx --yes pnpm@${PNPM}`;
run(`${pnpm} install --frozen-lockfile`);
run(`${local} run build`);
mkdirSync('out', { recursive: true });
const cli = 'node apps/cli/bin/scorefield.js';
run(`${cli} train --data 8gaussians --loss dsm --model score --steps 3000 --seed 0 --out out/model.safetensors`);
run(`${cli} sample --model out/model.safetensors --n 2000 --seed 1 --out out/samples.csv`);
run(`${cli} plot --model out/model.safetensors --data 8gaussians --samples out/samples.csv --out out/quickstart.svg`);
console.error('\nDone: open out/quickstart.svg (the learned score field over the data and the samples).');
