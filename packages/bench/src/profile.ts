/**
 * Profiles the WASM training step (or the sampler) with V8's sampling profiler and prints where the time
 * goes, by function (self time), grouped as GEMM, activation jets, other WASM, and JS glue.
 *   node packages/bench/dist/profile.js [--objective=esm] [--kind=energy] [--width=128] [--batch=128] [--seconds=5] [--sample]
 * It re-runs itself under `node --cpu-prof` and summarises the .cpuprofile it writes. The shipped binary
 * has no name section, so it first builds the same source with the same flags plus `--debug` (names
 * kept) into a temporary folder and profiles that; it prints both binaries' rates to show they match.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { loadCore, modelWorkspaceFloats, samplerSteps } from '@scorefield/core-math';
import { wasmTrainStep } from './wasm-train.js';
import { benchModel } from './sampling.js';
import type { Kind } from './cases.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time (ms) per function name, from a .cpuprofile. */
export function selfTimes(p: Profile): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const n = byId.get(id);
    if (!n) return;
    const f = n.callFrame;
    const name = f.functionName || (f.url ? `(anonymous ${path.basename(f.url)})` : '(program)');
    const where = f.url.includes('.wasm') || f.url.startsWith('wasm://') ? 'wasm' : f.url ? path.basename(f.url) : '';
    const key = where ? `${name} [${where}]` : name;
    out.set(key, (out.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

/** Groups function names (AssemblyScript names, from the named build) by the kind of work. */
export function group(name: string): string {
  if (/\[wasm\]/.test(name) || /^(\$|wasm-function)/.test(name)) {
    if (/gemm|dense|transpose/i.test(name)) return 'GEMM (gemm, dense)';
    if (/jet/i.test(name)) return 'jet pass loops (lanes, bias, copies: mlpJetForward/Backward, activationJet*)';
    if (/activation|silu|sigmoid|tanh|softplus|elu/i.test(name)) return 'activation math (phi and its derivatives, exp)';
    if (/NativeMath/.test(name)) return 'libm (normal draws, noise-level embedding)';
    if (/adam/i.test(name)) return 'Adam';
    if (/langevin|sampler/i.test(name)) return 'sampler step loop';
    if (/objective|model/i.test(name)) return 'objective / model glue in WASM';
    return 'other WASM';
  }
  if (/\(garbage collector\)|\(idle\)|\(program\)/.test(name)) return name;
  return 'JS glue';
}

function child(args: string[]): void {
  const get = (k: string, d: string) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
  const seconds = Number(get('seconds', '5'));
  const wasm = get('wasm', '');
  void (async () => {
    const core = await loadCore({ build: 'simd', bytes: wasm ? new Uint8Array(readFileSync(wasm)) : undefined });
    const until = performance.now() + seconds * 1000;
    let calls = 0;
    if (args.includes('--sample')) {
      const model = benchModel(core, get('kind', 'score') as Kind);
      const n = 10000,
        chunk = 256;
      const x = core.f32(n * 2),
        rng = core.rng(1);
      const work = { ws: core.f32(modelWorkspaceFloats(model.layout, chunk)), score: core.f32(chunk * 2), chunk };
      while (performance.now() < until) {
        samplerSteps(core, model.spec, model.layout, model.params, x, 1, { mode: 'affine', a: 1, b: 1e-3, c: 1e-2 }, rng, work, {
          sigma: 0.5,
        });
        calls++;
      }
      console.log(JSON.stringify({ rate: (calls * n) / seconds, unit: 'particle-steps/s' }));
    } else {
      const step = wasmTrainStep(core, {
        objective: get('objective', 'dsm'),
        kind: get('kind', 'score') as Kind,
        d: Number(get('d', '2')),
        width: Number(get('width', '128')),
        batch: Number(get('batch', '128')),
      });
      while (performance.now() < until) {
        step.step();
        calls++;
      }
      console.log(JSON.stringify({ rate: calls / seconds, unit: 'steps/s' }));
    }
  })();
}

/** Builds core-math's SIMD binary with names (asc --debug) into dir; returns its path. */
function namedBuild(dir: string): string {
  const coreRoot = fileURLToPath(new URL('../../core-math/', import.meta.url));
  const asc = path.join(
    path.dirname(createRequire(path.join(coreRoot, 'package.json')).resolve('assemblyscript/package.json')),
    'bin',
    'asc.js',
  );
  const out = path.join(dir, 'simd-named.wasm');
  const r = spawnSync(
    process.execPath,
    [asc, 'assembly/index.ts', '-o', out, '-O3', '--runtime', 'stub', '--noAssert', '--initialMemory', '2', '--enable', 'simd', '--debug'],
    { cwd: coreRoot, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`asc failed: ${r.stderr}`);
  return out;
}

function parent(args: string[]): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-prof-'));
  const named = namedBuild(dir);
  const plain = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', ...args], { encoding: 'utf8' });
  args = [...args, `--wasm=${named}`];
  const r = spawnSync(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200', fileURLToPath(import.meta.url), '--child', ...args],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
  console.log(`shipped build: ${plain.stdout.trim()}; named build (profiled): ${r.stdout.trim()}`);
  const times = selfTimes(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile);
  rmSync(dir, { recursive: true, force: true });
  const total = [...times.values()].reduce((a, b) => a + b, 0);
  const groups = new Map<string, number>();
  for (const [k, v] of times) groups.set(group(k), (groups.get(group(k)) ?? 0) + v);
  console.log(`profile of ${args.filter((a) => !a.startsWith('--wasm')).join(' ') || '(dsm score)'}`);
  console.log('by group:');
  for (const [k, v] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  console.log('top functions (self time):');
  for (const [k, v] of [...times].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') child(args.slice(1));
  else parent(args);
}
