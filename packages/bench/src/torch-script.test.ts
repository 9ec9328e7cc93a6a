import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { TORCH_SCRIPT } from './torch.js';

const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['--version']).status === 0);

describe('torch/bench.py', () => {
  it.skipIf(!python)('parses (python3 -m py_compile)', () => {
    // The byte code goes to a temporary folder, not next to the script.
    const r = spawnSync(python!, ['-m', 'py_compile', TORCH_SCRIPT], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPYCACHEPREFIX: tmpdir() },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
