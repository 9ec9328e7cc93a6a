import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built package in plain Node (no bundler), as a user's script runs it. Needs `pnpm build` first (the root
// `npm test` builds before testing); skipped without a dist/.
const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

const objective = `
import { objectiveLossAndGrad, paramCount, scoreOf, tf } from '@scorefield/tfjs';
tf.env().set('IS_TEST', true);
const spec = { kind: 'energy', dims: [2, 4, 1], activation: 'elu', conditioning: 'none' };
const params = Float32Array.from({ length: paramCount(spec.dims) }, (_, i) => Math.sin(1.3 * i));
const before = tf.memory().numTensors;
const forward = scoreOf({ ...spec, kind: 'score', dims: [2, 4, 2] }, new Float32Array(22).fill(0.1), [0.2, -0.4], 1);
let r;
try {
  r = objectiveLossAndGrad(spec, params, 'esm', { x: [0.2, -0.4, 1, 0.3], batch: 2 });
} catch (e) {
  console.log(JSON.stringify({ forward: forward.length, error: e.message }));
  process.exit(0);
}
const finite = r.grad.every(Number.isFinite);
console.log(JSON.stringify({ backend: tf.getBackend(), loss: r.loss, n: r.grad.length, finite, leaked: tf.memory().numTensors - before }));
`;

function run(script: string) {
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: pkgDir, encoding: 'utf8' });
  expect(out.stderr).toBe('');
  expect(out.status).toBe(0);
  return JSON.parse(out.stdout.trim());
}

describe('plain Node on the built dist', () => {
  it.skipIf(!built)('with @tensorflow/tfjs imported first (it registers the gradients): a third-order objective', () => {
    const r = run(`import '@tensorflow/tfjs';\n${objective}`);
    expect(r).toMatchObject({ backend: 'cpu', n: 17, finite: true, leaked: 0 });
    expect(Number.isFinite(r.loss)).toBe(true);
  });

  it.skipIf(!built)('with tfjs-core alone: forward passes work, gradients fail with one line saying what to import', () => {
    const r = run(objective);
    expect(r.forward).toBe(2);
    expect(r.error).toBe(
      "@scorefield/tfjs: tfjs gradient functions are not registered; import '@tensorflow/tfjs' (or '@tensorflow/tfjs-node') " +
        "once before differentiating, or under a bundler '@tensorflow/tfjs-core/dist/register_all_gradients'",
    );
  });
});
