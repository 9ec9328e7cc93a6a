import { conditionings, InputError, lookup, objectives, projections, type Conditioning, type ObjectiveSpec } from '@scorefield/core-math';
import { intFlag, positiveFlag, sigmasFlag } from './command.js';

/** Flags that set an objective's options, and the losses each applies to. */
const appliesTo = {
  projections: ['ssm', 'ssm-vr'],
  slices: ['ssm', 'ssm-vr'],
  sigma: ['dsm'],
  sigmas: ['ncsn'],
  sde: ['continuous'],
} satisfies Record<string, string[]>;

/** Defaults, shown in --help. */
export const objectiveFlagDefaults = {
  loss: 'dsm',
  projections: 'gaussian',
  slices: '1',
  sigma: '0.1',
  sigmas: 'geometric:1:0.01:10',
  sde: 've',
};

type Flags = Partial<Record<keyof typeof appliesTo | 'loss', string>>;

/**
 * The objective named by --loss with its options from the flags; a flag that does not apply to the loss
 * is an input error naming both (so a typo in the loss name cannot silently drop an option).
 */
export function objectiveFromFlags(flags: Flags): ObjectiveSpec {
  const name = flags.loss ?? objectiveFlagDefaults.loss;
  lookup(objectives, name, 'loss');
  for (const [flag, losses] of Object.entries(appliesTo)) {
    if (flags[flag as keyof Flags] !== undefined && !(losses as string[]).includes(name)) {
      throw new InputError(`--${flag} applies to --loss ${losses.join(' and ')}, not ${name}`);
    }
  }
  const get = (flag: keyof typeof objectiveFlagDefaults) => flags[flag] ?? objectiveFlagDefaults[flag];
  switch (name) {
    case 'ssm':
    case 'ssm-vr': {
      const projection = get('projections');
      lookup(projections, projection, 'projection');
      return { name, projection: projection as keyof typeof projections, slices: intFlag('slices', get('slices'), 1, 4096) };
    }
    case 'dsm':
      return { name, sigma: positiveFlag('sigma', get('sigma')) };
    case 'ncsn':
      return { name, sigmas: sigmasFlag(get('sigmas')) };
    case 'continuous': {
      const sde = get('sde');
      lookup({ ve: 1, vp: 1 }, sde, 'sde');
      return { name, sde: sde as 've' | 'vp' };
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
