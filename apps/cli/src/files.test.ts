// The CLI and files: config precedence, checkpoints and resume (also after a kill), field records, IDX input.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCore } from '@scorefield/core-math';
import { decodeModel } from '@scorefield/models';
import { cli } from '../test/run-cli.js';
import { writeFileAtomic } from './io.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sf-files-'));
const BIN = fileURLToPath(new URL('../bin/scorefield.js', import.meta.url));

describe('--config', () => {
  it('reads options from JSON; flags override it; unknown keys are named', async () => {
    const dir = tmp();
    const config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify({ data: 'gmm3', loss: 'ssm', slices: 2, steps: 30, hidden: [8, 8], model: 'energy' }));
    const r = await cli('train', '--config', config, '--steps', '20', '--json', '--out', join(dir, 'm.safetensors'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ steps: 20, loss: { name: 'ssm', slices: 2 }, model: 'energy', hidden: [8, 8] });
    writeFileSync(config, JSON.stringify({ data: 'gmm3', stepz: 3 }));
    const bad = await cli('train', '--config', config, '--out', join(dir, 'm2.safetensors'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--config .*c\.json: unknown option 'stepz' \(did you mean steps\?\); valid: data, loss/);
    writeFileSync(config, '{"data": ');
    expect((await cli('train', '--config', config, '--out', join(dir, 'm3.safetensors'))).stderr).toMatch(/c\.json: not valid JSON/);
    expect(readdirSync(dir).sort()).toEqual(['c.json', 'm.safetensors']);
  });
});

describe('checkpoints and resume', () => {
  const args = [
    '--data',
    'gmm3',
    '--loss',
    'dsm',
    '--hidden',
    '64,64',
    '--steps',
    '4000',
    '--seed',
    '1',
    '--checkpoint-every',
    '200',
    '--record-every',
    '400',
  ];

  it('a run killed at any moment leaves the old file or a complete one, and --resume reaches the same bytes as an ' +
    'uninterrupted run', async () => {
    const dir = tmp();
    const whole = join(dir, 'whole.safetensors');
    expect((await cli('train', ...args, '--quiet', '--out', whole)).code).toBe(0);
    const reference = readFileSync(whole);
    const core = await loadCore();
    let resumedFromCheckpoint = 0;
    // Kills at fixed delays (wherever the run happens to be, however loaded the machine), and one as soon as a
    // checkpoint exists, so that at least one kill lands mid-run whatever the machine's speed.
    for (const delay of [500, 1300, 'checkpoint'] as const) {
      const out = join(dir, `killed-${delay}.safetensors`);
      writeFileSync(out, 'old');
      const child = spawn(process.execPath, [BIN, 'train', ...args, '--quiet', '--out', out], { stdio: 'ignore' });
      let done = false;
      const exited = new Promise((r) =>
        child.on('exit', (code) => {
          done = true;
          r(code);
        }),
      ); // attached now: the run may end before the kill
      if (delay === 'checkpoint') while (!done && !existsSync(`${out}.ckpt`)) await new Promise((r) => setTimeout(r, 5));
      else await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await exited;
      const left = readFileSync(out);
      if (left.toString() !== 'old') expect(() => decodeModel(core, new Uint8Array(left), out).free()).not.toThrow();
      // A kill between a write and its rename may leave that write's temporary file (never the target);
      // the next run writing the same file removes it.
      const temporaries = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));
      expect(temporaries().every((f) => f.startsWith(`.killed-${delay}.`))).toBe(true);
      const canResume = existsSync(`${out}.ckpt`);
      if (canResume) resumedFromCheckpoint++;
      const resumed = await cli('train', ...args, '--quiet', ...(canResume ? ['--resume'] : []), '--out', out);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(readFileSync(out).equals(reference)).toBe(true);
      expect(existsSync(`${out}.ckpt`)).toBe(false);
      expect(temporaries()).toEqual([]);
      expect(
        readFileSync(out.replace('.safetensors', '.record.safetensors')).equals(
          readFileSync(whole.replace('.safetensors', '.record.safetensors')),
        ),
      ).toBe(true);
    }
    expect(resumedFromCheckpoint).toBeGreaterThan(0); // at least one kill landed mid-run
  }, 120_000);

  it('an atomic write removes the temporary files of killed writers of the same file, and only those', async () => {
    const dir = tmp();
    const out = join(dir, 'm.safetensors');
    const ended = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((r) => ended.on('exit', () => r(ended.pid!)));
    const stale = `.m.safetensors.${deadPid}.3.tmp`;
    const keep = [`.m.safetensors.${process.ppid}.1.tmp`, `.other.safetensors.${deadPid}.1.tmp`, 'm.safetensors.notes.tmp'];
    for (const f of [stale, ...keep]) writeFileSync(join(dir, f), 'partial');
    writeFileAtomic(out, 'new');
    expect(readFileSync(out, 'utf8')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual([...keep, 'm.safetensors'].sort());
  });

  it('refuses to resume without a checkpoint or with other options', async () => {
    const dir = tmp();
    const out = join(dir, 'm.safetensors');
    expect((await cli('train', '--data', 'gmm3', '--steps', '10', '--resume', '--out', out)).stderr).toMatch(
      /--resume: no checkpoint .*m\.safetensors\.ckpt/,
    );
    writeFileSync(`${out}.ckpt`, new Uint8Array(0));
    expect((await cli('train', '--data', 'gmm3', '--steps', '10', '--resume', '--out', out)).stderr).toMatch(/m\.safetensors\.ckpt: /);
  });
});

describe('IDX data', () => {
  it('trains on an MNIST-style IDX file (items flattened, bytes scaled to [0, 1])', async () => {
    const dir = tmp();
    const file = join(dir, 'toy-idx3-ubyte');
    const n = 200,
      bytes = new Uint8Array(16 + n * 4);
    const v = new DataView(bytes.buffer);
    bytes[2] = 0x08;
    bytes[3] = 3;
    v.setUint32(4, n);
    v.setUint32(8, 2);
    v.setUint32(12, 2);
    for (let i = 0; i < n * 4; i++) bytes[16 + i] = (i * 37 + (i >> 2) * 11) % 256;
    writeFileSync(file, bytes);
    const r = await cli('train', '--data', file, '--steps', '5', '--hidden', '8', '--json', '--out', join(dir, 'm.safetensors'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ points: 200, dim: 4 });
    writeFileSync(file, bytes.subarray(0, 100));
    const bad = await cli('train', '--data', file, '--steps', '5', '--out', join(dir, 'm2.safetensors'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/toy-idx3-ubyte: truncated IDX file: expected 800 data bytes, found 84/);
  });
});

describe('datasets sample and sampler trajectories', () => {
  it('datasets sample writes the same points train draws; sample --trajectory records [frames, n, d]', async () => {
    const dir = tmp();
    const pts = join(dir, 'p.csv');
    const r = await cli('datasets', 'sample', 'moons', '--n', '50', '--seed', '4', '--out', pts);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(pts, 'utf8').trim().split('\n')).toHaveLength(51);
    expect((await cli('datasets', 'sample', 'moon', '--out', pts)).stderr).toMatch(/unknown dataset 'moon'; valid: 8gaussians/);
    expect((await cli('datasets', 'frobnicate')).stderr).toMatch(/unknown action 'frobnicate'; valid: sample/);
    const model = join(dir, 'm.safetensors'),
      traj = join(dir, 't.npy');
    expect((await cli('train', '--data', 'gmm3', '--steps', '20', '--hidden', '8', '--out', model)).code).toBe(0);
    const s = await cli(
      'sample',
      '--model',
      model,
      '--n',
      '30',
      '--steps',
      '40',
      '--trajectory',
      traj,
      '--record-every',
      '10',
      '--json',
      '--out',
      join(dir, 's.npy'),
    );
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ frames: 5, recordEvery: 10 });
    const header = readFileSync(traj).subarray(10, 80).toString('latin1');
    expect(header).toContain("'shape': (5, 30, 2)");
  });
});

describe('plot kinds, PNG, animations and data-parallel training', () => {
  it('draws every plot kind as SVG and PNG, and both animations as GIFs', async () => {
    const dir = tmp();
    const model = join(dir, 'e.safetensors');
    const t = await cli(
      'train',
      '--data',
      'gmm3',
      '--loss',
      'ncsn',
      '--sigmas',
      'geometric:2:0.1:4',
      '--model',
      'energy',
      '--steps',
      '40',
      '--hidden',
      '16',
      '--record-every',
      '20',
      '--workers',
      '2',
      '--json',
      '--out',
      model,
    );
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout).workers).toBe(2);
    for (const kind of ['field', 'energy', 'density', 'samples', 'error', 'loss']) {
      for (const ext of ['svg', 'png']) {
        const out = join(dir, `${kind}.${ext}`);
        const r = await cli('plot', '--model', model, '--kind', kind, '--n', '100', '--grid', '8', '--scale', '0.5', '--out', out);
        expect(r.code, `${kind}.${ext}: ${r.stderr}`).toBe(0);
        const head = readFileSync(out).subarray(0, 8);
        expect(ext === 'png' ? head.subarray(1, 4).toString() : head.toString().slice(0, 4)).toBe(ext === 'png' ? 'PNG' : '<svg');
      }
    }
    for (const kind of ['training', 'sampling']) {
      const out = join(dir, `${kind}.gif`);
      const r = await cli(
        'animate',
        '--kind',
        kind,
        '--model',
        model,
        '--n',
        '50',
        '--frames',
        '4',
        '--scale',
        '0.3',
        '--json',
        '--out',
        out,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(out).subarray(0, 6).toString()).toBe('GIF89a');
      expect(JSON.parse(r.stdout).frames).toBeGreaterThanOrEqual(kind === 'training' ? 3 : 4);
    }
    const score = join(dir, 's.safetensors');
    expect((await cli('train', '--data', 'moons', '--steps', '5', '--hidden', '8', '--out', score)).code).toBe(0);
    expect((await cli('plot', '--model', score, '--kind', 'energy', '--out', join(dir, 'x.svg'))).stderr).toMatch(
      /is a score model; only energy models have an energy/,
    );
    expect((await cli('plot', '--model', score, '--kind', 'error', '--out', join(dir, 'x.svg'))).stderr).toMatch(
      /--kind error needs a dataset with an exact score/,
    );
    expect((await cli('animate', '--kind', 'training', '--model', score, '--out', join(dir, 'x.gif'))).stderr).toMatch(
      /no such file; train with --record-every K/,
    );
  }, 120_000);

  it('train --threads: every thread count writes the same model file; --workers > 1 with it is refused', async () => {
    const dir = tmp();
    const run = async (threads: string) => {
      const out = join(dir, `t${threads}.safetensors`);
      const argv = ['--data', 'gmm3', '--model', 'energy', '--steps', '20', '--hidden', '24,13', '--batch', '70', '--quiet'];
      expect((await cli('train', ...argv, '--threads', threads, '--out', out)).code).toBe(0);
      return readFileSync(out);
    };
    const one = await run('1');
    for (const threads of ['2', '3']) expect((await run(threads)).equals(one), `--threads ${threads}`).toBe(true);
    expect((await cli('train', '--data', 'gmm3', '--threads', '2', '--workers', '2', '--out', join(dir, 'w.safetensors'))).stderr).toMatch(
      /--threads > 1 cannot be combined with --workers > 1/,
    );
  });

  it('data-parallel training is deterministic for a seed and worker count', async () => {
    const dir = tmp();
    const run = async (name: string) => {
      const out = join(dir, name);
      expect(
        (await cli('train', '--data', 'gmm3', '--steps', '50', '--hidden', '16', '--workers', '2', '--quiet', '--out', out)).code,
      ).toBe(0);
      return readFileSync(out);
    };
    expect((await run('a.safetensors')).equals(await run('b.safetensors'))).toBe(true);
    expect(
      (await cli('train', '--data', 'gmm3', '--workers', '2', '--checkpoint-every', '10', '--out', join(dir, 'c.safetensors'))).stderr,
    ).toMatch(/--workers > 1 cannot be combined with --checkpoint-every or --resume/);
  });
});

describe('bench', () => {
  it('measures kernels, training per objective x parametrization and sampling (--quick --json)', async () => {
    const r = await cli('bench', '--quick', '--json');
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.kernels.simd.ceilingGflops).toBeGreaterThan(0);
    expect(Object.keys(m.trainingStepsPerSecond)).toHaveLength(14);
    expect(Object.values(m.samplingParticleStepsPerSecond).every((v) => (v as number) > 0)).toBe(true);
  }, 120_000);
});
