// Builds the two WebAssembly binaries from one AssemblyScript source, build/simd.wasm and build/scalar.wasm,
// and generates the TypeScript side of their contract, src/generated/contract.ts (see scripts/contract.mjs).
// `--if-missing` skips the build when all three exist and are newer than every source file.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { contractTransform } from './contract.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const contractFile = join(root, 'src', 'generated', 'contract.ts');
const sources = ['assembly', 'scripts'].flatMap((dir) => readdirSync(join(root, dir)).map((f) => join(root, dir, f)));
const newestSource = Math.max(...sources.map((f) => statSync(f).mtimeMs));
const builds = { simd: ['--enable', 'simd'], scalar: ['--disable', 'simd'] };
const outputs = [...Object.keys(builds).map((name) => join(root, 'build', `${name}.wasm`)), contractFile];
const upToDate = outputs.every((f) => existsSync(f) && statSync(f).mtimeMs > newestSource);

if (!(process.argv.includes('--if-missing') && upToDate)) {
  mkdirSync(join(root, 'build'), { recursive: true });
  let render;
  for (const [name, flags] of Object.entries(builds)) {
    const files = {};
    // One compile (the SIMD one) also emits the bindings and runs the contract generator: the exports and
    // block layouts are the same in both builds (the round-trip test checks them on each).
    const generate = name === 'simd';
    const { error } = await asc.main(
      [
        'assembly/index.ts',
        '-o',
        `build/${name}.wasm`,
        '-O3',
        '--runtime',
        'stub',
        '--noAssert',
        '--initialMemory',
        '2',
        ...flags,
        ...(generate ? ['--bindings', 'raw'] : []),
      ],
      {
        stdout: process.stdout,
        stderr: process.stderr,
        transforms: generate ? [contractTransform((r) => (render = r))] : [],
        writeFile: (file, contents) => {
          files[file] = contents;
        },
      },
    );
    if (error) {
      console.error(`build-wasm: ${name} build failed: ${error.message}`);
      process.exit(1);
    }
    writeAtomically(join(root, 'build', `${name}.wasm`), files[`build/${name}.wasm`]);
    if (generate) writeIfChanged(contractFile, render(files[`build/${name}.d.ts`]));
  }
}

/** Writes only on a change (watchers see no edit), else just marks the file as fresh for `--if-missing`. */
function writeIfChanged(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  if (existsSync(file) && readFileSync(file, 'utf8') === text) utimesSync(file, new Date(), new Date());
  else writeAtomically(file, text);
}

/** A temporary file renamed over the target: a concurrent build or reader (turbo runs tasks in parallel) sees whole files. */
function writeAtomically(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}
