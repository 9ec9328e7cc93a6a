import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built package must work in plain Node (no bundler): gradients registered, cpu backend, no leaks.
// Needs `pnpm build` first (the root `pnpm test` builds before testing); skipped without a dist/.
const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

const script = `
import { objectiveLossAndGrad, paramCount, tf } from '@scorefield/tfjs';
tf.env().set('IS_TEST', true);
const spec = { kind: 'energy', dims: [2, 4, 1], activation: 'elu', conditioning: 'none' };
const params = Float32Array.from({ length: paramCount(spec.dims) }, (_, i) => Math.sin(1.3 * i));
const before = tf.memory().numTensors;
const r = objectiveLossAndGrad(spec, params, 'esm', { x: [0.2, -0.4, 1, 0.3], batch: 2 });
console.log(JSON.stringify({ backend: tf.getBackend(), loss: r.loss, n: r.grad.length, finite: r.grad.every(Number.isFinite), leaked: tf.memory().numTensors - before }));
`;

describe('plain Node on the built dist', () => {
  it.skipIf(!built)('imports @scorefield/tfjs and differentiates a third-order objective', () => {
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: pkgDir, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const r = JSON.parse(out.stdout.trim()) as { backend: string; loss: number; n: number; finite: boolean; leaked: number };
    expect(r).toMatchObject({ backend: 'cpu', n: 17, finite: true, leaked: 0 });
    expect(Number.isFinite(r.loss)).toBe(true);
  });
});
