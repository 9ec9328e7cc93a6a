// Counter-based RNG: SplitMix64 evaluated at an explicit position, so a draw depends only on
// (seed, counter) and both builds and every platform give the same bits.
// State (16 bytes, owned by the TS side): [seed: u64, counter: u64]; every draw advances counter by one.
// see: Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014.

const GOLDEN: u64 = 0x9e3779b97f4a7c15;

@inline function mix64(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** The 64 random bits at position `counter` of the stream `seed`. */
@inline export function bitsAt(seed: u64, counter: u64): u64 {
  return mix64(mix64(seed) + (counter + 1) * GOLDEN);
}

/** Next 64 random bits from the state at `state`. */
@inline export function nextU64(state: usize): u64 {
  const counter = load<u64>(state, 8);
  store<u64>(state, counter + 1, 8);
  return bitsAt(load<u64>(state), counter);
}

/** Uniform on [0, 1) with 53 random bits. */
@inline export function nextUniform(state: usize): f64 {
  return <f64>(nextU64(state) >> 11) * 1.1102230246251565e-16; // 2^-53
}

/** Standard normal at a stream position, by Box-Muller from one 64-bit draw (cosine branch only). */
export function normalAt(seed: u64, counter: u64): f64 {
  const bits = bitsAt(seed, counter);
  const u1 = (<f64>(bits >> 32) + 1.0) * 2.3283064365386963e-10; // (0, 1]
  const u2 = <f64>(bits & 0xffffffff) * 2.3283064365386963e-10; // [0, 1)
  return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(6.283185307179586 * u2);
}

/** Next standard normal from the state at `state`. */
export function nextNormal(state: usize): f64 {
  const counter = load<u64>(state, 8);
  store<u64>(state, counter + 1, 8);
  return normalAt(load<u64>(state), counter);
}

/** +1 or -1 with equal probability. */
@inline export function nextRademacher(state: usize): f64 {
  return (nextU64(state) >> 63) != 0 ? 1.0 : -1.0;
}

/** out[i] = U[lo, hi), i < n. */
export function rngUniform(state: usize, out: usize, n: i32, lo: f32, hi: f32): void {
  const w = <f64>hi - <f64>lo;
  for (let i = 0; i < n; i++) {
    store<f32>(out + (<usize>i << 2), <f32>(<f64>lo + w * nextUniform(state)));
  }
}

/** out[i] = mean + std * N(0, 1), i < n. */
export function rngNormal(state: usize, out: usize, n: i32, mean: f32, std: f32): void {
  for (let i = 0; i < n; i++) {
    store<f32>(out + (<usize>i << 2), <f32>(<f64>mean + <f64>std * nextNormal(state)));
  }
}

/** out[i] = +-1, i < n. */
export function rngRademacher(state: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    store<f32>(out + (<usize>i << 2), <f32>nextRademacher(state));
  }
}
