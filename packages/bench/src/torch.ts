/**
 * PyTorch CPU reference: runs torch/bench.py as a long-lived child process (JSON lines in and out), so
 * its rounds interleave with the JS implementations' rounds in the same run.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Runner } from './timing.js';

/** The script, next to dist/ and src/. */
export const TORCH_SCRIPT = fileURLToPath(new URL('../torch/bench.py', import.meta.url));

export interface TorchInfo {
  python: string;
  torch: string;
  /** The BLAS library torch calls (Debian's alternatives): the reference BLAS is 10x slower than OpenBLAS. */
  blas: string;
}

/** Finds a python3 with torch (BENCH_PYTHON, Debian's /usr/bin/python3, then python3 on PATH); a notice when there is none. */
export function findTorch(): TorchInfo | { notice: string } {
  const candidates = [process.env.BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (p): p is string => !!p && (p === 'python3' || existsSync(p)),
  );
  for (const python of candidates) {
    const r = spawnSync(python, [TORCH_SCRIPT, '--info'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) {
      const { torch } = JSON.parse(r.stdout) as { torch: string };
      return { python, torch, blas: blasLibrary() };
    }
  }
  return { notice: 'PyTorch is not installed (apt-get install python3-torch): the PyTorch columns are skipped' };
}

function blasLibrary(): string {
  const r = spawnSync('readlink', ['-f', '/usr/lib/x86_64-linux-gnu/libblas.so.3'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

/**
 * A child process answering JSON lines on stdin with JSON lines on stdout, one reply per request. A
 * request that takes longer than `timeoutMs` kills the child (it is restarted on the next request).
 */
export class LineServer {
  private child!: ChildProcessWithoutNullStreams;
  private pending: Array<(line: string) => void> = [];
  private stderr = '';
  private exited = false;

  constructor(
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    readonly timeoutMs = 300_000,
  ) {
    this.start();
  }

  private start(): void {
    this.exited = false;
    this.pending = [];
    this.child = spawn(this.command, this.args, { env: this.env });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.pending.shift()?.(line));
    this.child.stderr.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-2000);
    });
    this.child.on('exit', () => {
      this.exited = true;
      for (const p of this.pending.splice(0))
        p(JSON.stringify({ error: `${path.basename(this.args[0] ?? this.command)} exited: ${this.stderr.trim()}` }));
    });
  }

  async request<T>(req: object): Promise<T> {
    if (this.exited) this.start();
    let timer: NodeJS.Timeout | undefined;
    const line = await new Promise<string>((resolve) => {
      this.pending.push(resolve);
      timer = setTimeout(() => {
        this.pending = this.pending.filter((p) => p !== resolve);
        this.child.kill('SIGKILL');
        resolve(JSON.stringify({ error: `no reply within ${this.timeoutMs / 1000} s (hung; the process was killed)` }));
      }, this.timeoutMs);
      this.child.stdin.write(`${JSON.stringify(req)}\n`);
    });
    clearTimeout(timer);
    const reply = JSON.parse(line) as T & { error?: string };
    if (reply.error) throw new Error(reply.error);
    return reply;
  }

  close(): void {
    this.child.stdin.end();
  }
}

export class TorchServer {
  readonly server: LineServer;

  constructor(python: string) {
    // glibc's malloc keeps PyTorch's freed tensors instead of handing them back to the OS: in this machine's VM the
    // pages of fresh memory are slow to fault in, and 2 of 8 runs of 1000 sampling steps took 7.1 and 10.4 s instead of 2.0
    // (with these settings: 2.0 to 2.2 s in all 8).
    const malloc = { MALLOC_MMAP_THRESHOLD_: '1000000000', MALLOC_TRIM_THRESHOLD_: '1000000000' };
    this.server = new LineServer(python, [TORCH_SCRIPT, '--serve'], { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', ...malloc });
  }

  request<T>(req: object): Promise<T> {
    return this.server.request<T>(req);
  }

  /** A runner for one case at a thread count (the case's model and optimiser live in the python process). */
  runner(name: string, c: object, threads: number): Runner {
    return {
      name,
      warmup: async (ms) => (await this.request<{ callMs: number }>({ op: 'warmup', case: c, threads, ms })).callMs,
      round: async (ms) => (await this.request<{ rate: number }>({ op: 'round', case: c, threads, ms })).rate,
    };
  }

  close(): void {
    this.server.close();
  }
}
