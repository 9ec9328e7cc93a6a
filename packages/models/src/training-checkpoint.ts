import { InputError } from '@scorefield/core-math';
import { decodeSafetensors, encodeSafetensors } from '@scorefield/formats';
import type { Trainer, TrainerState } from './train.js';

/**
 * A resumable training checkpoint: the trained parameters (not their moving average, which is in `state`),
 * Adam's state, the stream position and the losses.
 */
export interface TrainingCheckpoint {
  state: TrainerState;
  params: Float32Array;
  /** The caller's description of the run (e.g. its options as JSON), compared on resume. */
  config: string;
}

const FORMAT = 'scorefield-checkpoint';

/**
 * Serialises a running {@link Trainer} (safetensors; tensors params (the trained weights), ema (their moving
 * average, when the run keeps one), adam.m, adam.v, losses).
 */
export function encodeCheckpoint(trainer: Trainer, config: string): Uint8Array {
  const state = trainer.state();
  return encodeSafetensors(
    {
      params: { dtype: 'F32', shape: [trainer.params.length], data: trainer.params.toArray() },
      ...(state.averaged ? { ema: { dtype: 'F32' as const, shape: [state.averaged.length], data: state.averaged } } : {}),
      'adam.m': { dtype: 'F32', shape: [state.adamM.length], data: state.adamM },
      'adam.v': { dtype: 'F32', shape: [state.adamV.length], data: state.adamV },
      losses: { dtype: 'F32', shape: [state.losses.length], data: state.losses },
    },
    {
      format: FORMAT,
      format_version: '1',
      step: String(state.step),
      adam_step: String(state.adamStep),
      rng_counter: state.rngCounter.toString(),
      ...(state.lossAverage !== undefined ? { loss_average: String(state.lossAverage) } : {}),
      config,
    },
  );
}

/** Reads a checkpoint written by {@link encodeCheckpoint}; `source` names the file in errors. */
export function decodeCheckpoint(bytes: Uint8Array, source: string): TrainingCheckpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, { source });
  const fail = (msg: string): never => {
    throw new InputError(`${source}: ${msg}`);
  };
  if (metadata.format !== FORMAT) fail(`not a scorefield training checkpoint (format ${JSON.stringify(metadata.format ?? null)})`);
  if (metadata.format_version !== '1') fail(`checkpoint format version ${metadata.format_version} is not supported (this version reads 1)`);
  for (const name of ['params', 'adam.m', 'adam.v', 'losses']) if (tensors[name]?.dtype !== 'F32') fail(`missing F32 tensor ${name}`);
  const step = Number(metadata.step),
    adamStep = Number(metadata.adam_step);
  if (!Number.isInteger(step) || step < 0 || !Number.isInteger(adamStep) || !/^\d+$/.test(metadata.rng_counter ?? ''))
    fail('corrupt step or stream position');
  if (tensors.losses.data.length !== step) fail(`${tensors.losses.data.length} losses for ${step} steps`);
  if (tensors.ema && (tensors.ema.dtype !== 'F32' || tensors.ema.data.length !== tensors.params.data.length))
    fail('tensor ema does not match params');
  const lossAverage = metadata.loss_average === undefined ? undefined : Number(metadata.loss_average);
  if (lossAverage !== undefined && !Number.isFinite(lossAverage)) fail('corrupt loss_average');
  return {
    params: Float32Array.from(tensors.params.data),
    config: metadata.config ?? '',
    state: {
      step,
      adamStep,
      rngCounter: BigInt(metadata.rng_counter),
      adamM: Float32Array.from(tensors['adam.m'].data),
      adamV: Float32Array.from(tensors['adam.v'].data),
      losses: Float32Array.from(tensors.losses.data),
      ...(tensors.ema ? { averaged: Float32Array.from(tensors.ema.data) } : {}),
      ...(lossAverage !== undefined ? { lossAverage } : {}),
    },
  };
}
