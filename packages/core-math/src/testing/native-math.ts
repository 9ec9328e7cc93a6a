import asc from 'assemblyscript/asc';

/** The functions of det-math.ts, as AssemblyScript's NativeMath computes them in WASM. */
export type NativeMath = Record<'exp' | 'expm1' | 'log' | 'log1p' | 'log10' | 'cos' | 'sin', (x: number) => number> &
  Record<'pow' | 'hypot', (x: number, y: number) => number>;

const SOURCE = `
export function exp(x: f64): f64 { return NativeMath.exp(x); }
export function expm1(x: f64): f64 { return NativeMath.expm1(x); }
export function log(x: f64): f64 { return NativeMath.log(x); }
export function log1p(x: f64): f64 { return NativeMath.log1p(x); }
export function log10(x: f64): f64 { return NativeMath.log10(x); }
export function cos(x: f64): f64 { return NativeMath.cos(x); }
export function sin(x: f64): f64 { return NativeMath.sin(x); }
export function pow(x: f64, y: f64): f64 { return NativeMath.pow(x, y); }
export function hypot(x: f64, y: f64): f64 { return NativeMath.hypot(x, y); }
`;

/**
 * Compiles NativeMath to WASM, in memory, as a small build (shrink level 1: the fdlibm-style exp, log and pow that
 * det-math.ts ports; the core's -O3 build uses musl's table-driven ones instead).
 */
export async function compileNativeMath(): Promise<NativeMath> {
  let binary: Uint8Array<ArrayBuffer> | undefined;
  const { error, stderr } = await asc.main(
    ['native-math.ts', '-o', 'native-math.wasm', '--optimizeLevel', '3', '--shrinkLevel', '1', '--runtime', 'stub'],
    {
      readFile: (name) => (name === 'native-math.ts' ? SOURCE : null),
      writeFile: (name, contents) => {
        if (name.endsWith('.wasm')) binary = new Uint8Array(contents as Uint8Array);
      },
      listFiles: () => [],
    },
  );
  if (error || !binary) throw new Error(`compiling NativeMath failed: ${error?.message}\n${stderr.toString()}`);
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(binary), {});
  return instance.exports as unknown as NativeMath;
}
