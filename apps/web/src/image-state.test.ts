import { defaultStepsOf, runFromFlags, runToTrainOptions } from '@scorefield/models';
import { describe, expect, it } from 'vitest';
import { PAGE_DIGITS } from './mnist-subset.js';
import { secondsLeft, timeLeft } from './refresh.js';
import {
  cliCommand,
  defaults,
  describeChange,
  dimOf,
  GRID_IMAGES,
  hiddenOf,
  imageMode,
  readRunFlag,
  runOf,
  stepsOf,
  withData,
  type AppState,
} from './state.js';
import { decodeState, encodeState } from './url-state.js';

/** The state the data picker gives from the defaults when mnist is picked. */
const picked = (): AppState => withData(defaults, { ...defaults, data: 'mnist' });

describe('image mode (data=mnist)', () => {
  it('picking mnist: 14x14, every digit the page holds, ncsn (dsm does not make digits), compare off', () => {
    const s = picked();
    expect(imageMode(s)).toBe(true);
    expect(s).toMatchObject({ data: 'mnist', imageSize: 14, dataSize: PAGE_DIGITS, loss: 'ncsn', conditioning: 'auto', compare: null });
    expect(dimOf(s)).toBe(196);
    // A noise-conditional objective is kept.
    expect(withData(defaults, { ...defaults, data: 'mnist', loss: 'continuous' }).loss).toBe('continuous');
    // Back to 2-D data: its default number of points, the objective as it is.
    const back = withData(s, { ...s, data: 'moons' });
    expect(back).toMatchObject({ data: 'moons', dataSize: defaults.dataSize, loss: 'ncsn' });
    expect(withData(s, { ...s, imageSize: 28 })).toEqual({ ...s, imageSize: 28 });
  });

  it("the library's defaults for the dimension: widths and steps of 196 and 784 pixels, not the 2-D ones", () => {
    const s = picked();
    expect(hiddenOf(s)).toEqual([256, 256, 256]);
    expect(stepsOf(s)).toBe(defaultStepsOf.conditional);
    expect(hiddenOf({ ...s, imageSize: 28 })).toEqual([256, 256, 256]);
    expect(stepsOf(withData(s, { ...s, data: '8gaussians' }))).toBe(defaultStepsOf.conditionalLowDim);
  });

  it("the run is the CLI's: the printed command reads back to the same RunSpec and trainer options", () => {
    const s = { ...picked(), hidden: [32, 32], steps: 40 };
    const command = cliCommand(s)!;
    expect(command).toBe(
      'scorefield train --data mnist --data-size 2000 --image-size 14 --loss ncsn --hidden 32,32 --steps 40 --out model.safetensors',
    );
    const words = command.split(' ').slice(2, -2);
    const flags = Object.fromEntries(words.flatMap((w, i) => (i % 2 ? [] : [[w.slice(2), words[i + 1]]])));
    expect(runFromFlags(flags)).toEqual(runOf(s));
    expect(runToTrainOptions(runFromFlags(flags))).toEqual(runToTrainOptions(runOf(s)));
    // Only mnist has an image size: 2-D runs keep RunSpec's default (not written), whatever the state kept.
    expect(runOf({ ...s, data: 'moons' }).imageSize).toBe(28);
    expect(cliCommand({ ...s, data: 'moons', imageSize: 14 })).not.toContain('--image-size');
  });

  it('the link carries it and reads back; a link without data-size trains the digits the page holds, said', () => {
    const s = { ...picked(), imageSize: 28 as const, dataSize: 500 };
    const hash = encodeState(s);
    expect(hash).toBe('data=mnist&data-size=500&loss=ncsn'); // 28 is the CLI's default: not written
    expect(encodeState(picked())).toBe('data=mnist&data-size=2000&image-size=14&loss=ncsn');
    expect(decodeState(hash)).toEqual({ state: s, warnings: [], autorun: false });
    const bare = decodeState('data=mnist&loss=ncsn');
    expect(bare.state).toMatchObject({ data: 'mnist', dataSize: PAGE_DIGITS, imageSize: 28 });
    expect(bare.warnings).toEqual([`the page trains on the first ${PAGE_DIGITS} MNIST train digits (data-size=${PAGE_DIGITS}), not 10000`]);
    expect(decodeState('data=mnist&image-size=7&loss=ncsn').warnings[0]).toMatch(
      /ignored image-size=7: unknown --image-size '7'; valid: 14, 28/,
    );
  });

  it(`data-size for mnist: ${GRID_IMAGES} (the grid's floor digits) to ${PAGE_DIGITS} (the digits the page holds)`, () => {
    const read = (raw: string) => readRunFlag('data-size', raw, { data: 'mnist' });
    expect(read(String(PAGE_DIGITS))).toHaveProperty('run');
    expect(read(String(GRID_IMAGES))).toHaveProperty('run');
    expect(read(String(PAGE_DIGITS + 1))).toEqual({ problem: 'expected an integer between 64 and 2000 (the MNIST digits the page holds)' });
    expect(read(String(GRID_IMAGES - 1))).toHaveProperty('problem');
    expect(readRunFlag('data-size', '5000', { data: 'moons' })).toHaveProperty('run');
  });

  it('says a change of image size or digits in its words', () => {
    const s = picked();
    expect(describeChange(s, { ...s, imageSize: 28 })).toBe('image size 14 → 28');
    expect(describeChange(s, { ...s, dataSize: 500 })).toBe('digits 2000 → 500');
  });
});

describe('the time left while training', () => {
  it('at the measured rate, in words', () => {
    expect(secondsLeft({ step: 1000, target: 10_000, stepsPerSecond: 75 })).toBe(120);
    expect(secondsLeft({ step: 0, target: 10, stepsPerSecond: 0 })).toBe(Number.POSITIVE_INFINITY);
    expect(timeLeft(120)).toBe('about 2 min left');
    expect(timeLeft(130.4)).toBe('about 2 min 10 s left');
    expect(timeLeft(0.2)).toBe('about 1 s left');
    expect(timeLeft(42)).toBe('about 42 s left');
    expect(timeLeft(3900)).toBe('about 1 h 5 min left');
  });
});
