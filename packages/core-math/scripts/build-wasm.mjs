// Builds the two WebAssembly binaries from one AssemblyScript source: build/simd.wasm and build/scalar.wasm.
// `--if-missing` skips the build when both exist and are newer than every source file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(dirname(createRequire(import.meta.url).resolve('assemblyscript/package.json')), 'bin', 'asc.js');
const sources = readdirSync(join(root, 'assembly')).map((f) => join(root, 'assembly', f));
const newestSource = Math.max(...sources.map((f) => statSync(f).mtimeMs));
const builds = { simd: ['--enable', 'simd'], scalar: ['--disable', 'simd'] };

mkdirSync(join(root, 'build'), { recursive: true });
for (const [name, flags] of Object.entries(builds)) {
  const out = join(root, 'build', `${name}.wasm`);
  if (process.argv.includes('--if-missing') && existsSync(out) && statSync(out).mtimeMs > newestSource) continue;
  execFileSync(
    process.execPath,
    [asc, 'assembly/index.ts', '-o', out, '-O3', '--runtime', 'stub', '--noAssert', '--initialMemory', '2', ...flags],
    { cwd: root, stdio: 'inherit' },
  );
}
