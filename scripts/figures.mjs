// `pnpm figures`: regenerates the pictures in docs/figures (shown in the READMEs) with the CLI, using
// exactly the commands printed here and listed in apps/cli/README.md. Models go to out/figures.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const cli = ['apps/cli/bin/scorefield.js'];
const commands = [
  'train --data 8gaussians --loss ncsn --sigmas geometric:3:0.03:10 --model energy --hidden 128,128 --steps 5000 --lr-decay cosine ' +
    '--record-every 125 --seed 0 --out out/figures/energy.safetensors',
  'plot --model out/figures/energy.safetensors --kind field --out docs/figures/field.png',
  'plot --model out/figures/energy.safetensors --kind density --out docs/figures/density.png',
  'plot --model out/figures/energy.safetensors --kind error --out docs/figures/error.png',
  'plot --model out/figures/energy.safetensors --kind samples --n 2000 --out docs/figures/samples.png',
  'plot --model out/figures/energy.safetensors --kind loss --out docs/figures/loss.png',
  'animate --kind training --model out/figures/energy.safetensors --scale 0.5 --out docs/figures/training.gif',
  'animate --kind sampling --model out/figures/energy.safetensors --n 1000 --frames 50 --scale 0.5 --out docs/figures/sampling.gif',
];
mkdirSync('out/figures', { recursive: true });
mkdirSync('docs/figures', { recursive: true });
for (const c of commands) {
  console.error(`$ scorefield ${c}`);
  execFileSync(process.execPath, [...cli, ...c.split(' '), '--quiet'], { stdio: 'inherit' });
}
