/**
 * The same training step on tfjs: @scorefield/tfjs's objective (tfjs autodiff, second-order-safe
 * activations) and a tfjs Adam step, on tfjs-backend-wasm (SIMD, one thread) or tfjs-backend-cpu.
 * The random inputs (batch, projections, noise, levels) are drawn in JS each step, as part of the step.
 */
// Registers tfjs's gradient functions (tfjs-core does not, and @scorefield/tfjs leaves it to the application).
import '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { tf, ensureReady, inputTensors, objectiveValueAndGrad, paramCount, type NetSpec, type ObjectiveInputs } from '@scorefield/tfjs';
import { sdeDefaults } from '@scorefield/core-math';
import { NCSN_SIGMAS, normals, objectiveCase, toyData, uniform, type TrainConfig } from './cases.js';
import type { TrainStep } from './wasm-train.js';
import * as detMath from '@scorefield/core-math/det-math';

export type TfjsBackend = 'wasm' | 'cpu';

let wasmReady: Promise<string | undefined> | undefined;
let variables = 0;

/** Registers tfjs-backend-wasm with its .wasm files from node_modules; resolves to an error message if it cannot. */
export function initTfjsWasm(): Promise<string | undefined> {
  wasmReady ??= (async () => {
    try {
      ensureReady();
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const require = createRequire(import.meta.url);
      wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
      if (!(await tf.setBackend('wasm'))) return 'tfjs-backend-wasm failed to initialize';
      await tf.ready();
      await tf.setBackend('cpu');
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  })();
  return wasmReady;
}

/** Whether the wasm backend runs its SIMD binary (multi-threading is off in Node without a worker setup). */
export function tfjsWasmFlags(): { simd: boolean; threads: boolean } {
  return {
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT') as boolean,
    threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') as boolean,
  };
}

/** Selects a backend (the tfjs backend is global: every tfjs runner selects its own before it runs). */
export async function selectBackend(name: TfjsBackend): Promise<void> {
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' is not available`);
}

/** Draws the inputs of one step, as the WASM core draws them (see core-math assembly/objectives.ts). */
function drawInputs(c: TrainConfig, data: Float32Array, u: () => number): ObjectiveInputs {
  const B = c.batch,
    d = c.d,
    o = objectiveCase(c.objective);
  const x = new Float32Array(B * d);
  for (let b = 0; b < B; b++) {
    const r = Math.floor(u() * 10000);
    x.set(data.subarray(r * d, r * d + d), b * d);
  }
  if (o.tfjs === 'esm') return { x, batch: B };
  if (o.tfjs === 'ssm' || o.tfjs === 'ssm-vr') return { x, batch: B, v: normals(u, new Float32Array(B * d)), slices: 1 };
  const alpha = new Float32Array(B).fill(1),
    sigma = new Float32Array(B),
    lambda = new Float32Array(B).fill(1);
  const s = o.spec;
  for (let b = 0; b < B; b++) {
    if (s.name === 'dsm') sigma[b] = s.sigma;
    else if (s.name === 'ncsn') {
      sigma[b] = NCSN_SIGMAS[Math.floor(u() * NCSN_SIGMAS.length)];
      lambda[b] = sigma[b] ** 2;
    } else if (s.name === 'continuous') {
      const t = sdeDefaults.eps + (1 - sdeDefaults.eps) * u();
      if (s.sde === 've') sigma[b] = sdeDefaults.sigmaMin * detMath.pow(sdeDefaults.sigmaMax / sdeDefaults.sigmaMin, t);
      else {
        const integral = sdeDefaults.betaMin * t + 0.5 * (sdeDefaults.betaMax - sdeDefaults.betaMin) * t * t;
        alpha[b] = detMath.exp(-0.5 * integral);
        sigma[b] = Math.sqrt(-detMath.expm1(-integral));
      }
      lambda[b] = sigma[b] ** 2;
    }
  }
  return { x, batch: B, z: normals(u, new Float32Array(B * d)), alpha, sigma, lambda };
}

/** A tfjs training step on the current backend (select it with {@link selectBackend} before stepping). */
export function tfjsTrainStep(c: TrainConfig): TrainStep {
  ensureReady();
  const o = objectiveCase(c.objective);
  const dims = [c.d + (o.conditioning === 'both' ? 7 : 0), c.width, c.width, c.width, c.kind === 'score' ? c.d : 1];
  const spec: NetSpec = { kind: c.kind, dims, activation: 'silu', conditioning: o.conditioning };
  const u = uniform(3),
    data = toyData(10000, c.d);
  const init = normals(uniform(4), new Float32Array(paramCount(dims))).map((v) => v * 0.05);
  const params = tf.variable(tf.tensor1d(init), true, `bench-params-${variables++}`);
  const opt = tf.train.adam(1e-4);
  return {
    step() {
      return tf.tidy(() => {
        const inputs = inputTensors(spec, o.tfjs, drawInputs(c, data, u));
        const { value, grad } = objectiveValueAndGrad(spec, params as unknown as tf.Tensor1D, o.tfjs, inputs);
        opt.applyGradients([{ name: params.name, tensor: grad }]);
        return value.dataSync()[0];
      });
    },
    free() {
      opt.dispose();
      params.dispose();
    },
  };
}
