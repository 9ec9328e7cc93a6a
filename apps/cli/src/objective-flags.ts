import { conditionings, InputError, lookup, objectives, projections, type Conditioning } from '@scorefield/core-math';
import type { ObjectiveRequest } from '@scorefield/models';
import { intFlag, positiveFlag, sigmasFlag } from './command.js';

/** Flags that set an objective's options, and the losses each applies to. */
const appliesTo = {
  projections: ['ssm', 'ssm-vr'],
  slices: ['ssm', 'ssm-vr'],
  sigma: ['dsm'],
  sigmas: ['ncsn'],
  sde: ['continuous'],
  'sigma-max': ['continuous'],
  'sigma-min': ['continuous'],
} satisfies Record<string, string[]>;

/** Defaults, shown in --help ('data': chosen from the data by the trainer). */
export const objectiveFlagDefaults = {
  loss: 'dsm',
  projections: 'gaussian',
  slices: '1',
  sigma: 'data',
  sigmas: 'data',
  sde: 've',
};

type Flags = Partial<Record<keyof typeof appliesTo | 'loss', string>>;

/**
 * The objective named by --loss with its options from the flags; a flag that does not apply to the loss
 * is an input error naming both (so a typo in the loss name cannot silently drop an option). Noise levels
 * left at `data` are left out, for the trainer to choose from the data.
 */
export function objectiveFromFlags(flags: Flags): ObjectiveRequest {
  const name = flags.loss ?? objectiveFlagDefaults.loss;
  lookup(objectives, name, 'loss');
  for (const [flag, losses] of Object.entries(appliesTo)) {
    if (flags[flag as keyof Flags] !== undefined && !(losses as string[]).includes(name)) {
      throw new InputError(`--${flag} applies to --loss ${losses.join(' and ')}, not ${name}`);
    }
  }
  const get = (flag: keyof typeof objectiveFlagDefaults) => flags[flag] ?? objectiveFlagDefaults[flag];
  const given = (flag: 'sigma' | 'sigmas') => get(flag) !== 'data';
  switch (name) {
    case 'ssm':
    case 'ssm-vr': {
      const projection = get('projections');
      lookup(projections, projection, 'projection');
      return { name, projection: projection as keyof typeof projections, slices: intFlag('slices', get('slices'), 1, 4096) };
    }
    case 'dsm':
      return given('sigma') ? { name, sigma: positiveFlag('sigma', get('sigma')) } : { name };
    case 'ncsn':
      return given('sigmas') ? { name, sigmas: sigmasFlag(get('sigmas')) } : { name };
    case 'continuous': {
      const sde = get('sde');
      lookup({ ve: 1, vp: 1 }, sde, 'sde');
      if (sde === 'vp' && (flags['sigma-max'] !== undefined || flags['sigma-min'] !== undefined))
        throw new InputError('--sigma-max and --sigma-min apply to --sde ve (the VP SDE has a beta schedule)');
      return {
        name,
        sde: sde as 've' | 'vp',
        ...(flags['sigma-max'] !== undefined && { sigmaMax: positiveFlag('sigma-max', flags['sigma-max']) }),
        ...(flags['sigma-min'] !== undefined && { sigmaMin: positiveFlag('sigma-min', flags['sigma-min']) }),
      };
    }
    default:
      return { name: 'esm' };
  }
}

/** --conditioning, checked; undefined keeps the trainer's default for the loss. */
export function conditioningFromFlag(raw: string | undefined): Conditioning | undefined {
  if (raw === undefined) return undefined;
  lookup(conditionings, raw, 'conditioning');
  return raw as Conditioning;
}
