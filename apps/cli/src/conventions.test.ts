// CLI conventions (issue 14, item 6): `-` for stdin and stdout, the score verb, help <verb>, no carriage
// returns without a terminal that can redraw, and shell completion generated from the command table.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCore } from '@scorefield/core-math';
import { encodeNpy, parseCsv, parseNpy } from '@scorefield/formats';
import { decodeModel } from '@scorefield/models';
import { runCli as cli } from '../test/run-cli.js';
import { commands } from './cli.js';
import { commonOptions } from './command.js';

const BIN = fileURLToPath(new URL('../bin/scorefield.js', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'sf-conv-'));

let dir = '';
beforeAll(async () => {
  dir = tmp();
  for (const [name, extra] of [
    ['score', ['--loss', 'dsm']],
    ['energy', ['--model', 'energy', '--loss', 'ncsn', '--sigmas', 'geometric:1:0.1:3']],
  ] as const) {
    const r = await cli([
      'train',
      '--data',
      'gmm3',
      '--steps',
      '30',
      '--hidden',
      '8',
      '--quiet',
      ...extra,
      '--out',
      join(dir, `${name}.safetensors`),
    ]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
  writeFileSync(join(dir, 'p.csv'), 'x,y\n0,0\n1.5,-2\n-3,0.25\n');
});

describe('score', () => {
  it('writes s(x) in data units at the points, with enough digits to give back the float32 bits', async () => {
    const core = await loadCore();
    const model = decodeModel(core, readFileSync(join(dir, 'score.safetensors')));
    const points = { data: [0, 0, 1.5, -2, -3, 0.25], rows: 3, cols: 2 };
    const r = await cli(['score', '--model', join(dir, 'score.safetensors'), '--points', join(dir, 'p.csv'), '--out', '-']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('score: sigma not used (the model has no noise conditioning)\n');
    expect(r.stdout.split('\n')[0]).toBe('s0,s1');
    expect(Array.from(parseCsv(r.stdout).data)).toEqual(Array.from(model.score(points)));
    model.free();
  });

  it('adds the energy column for energy models, reads the model at --sigma, and says which sigma it used', async () => {
    const core = await loadCore();
    const model = decodeModel(core, readFileSync(join(dir, 'energy.safetensors')));
    const points = { data: [0, 0, 1.5, -2, -3, 0.25], rows: 3, cols: 2 };
    const out = join(dir, 'e.npy');
    const r = await cli(['score', '--model', join(dir, 'energy.safetensors'), '--points', join(dir, 'p.csv'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`score: sigma ${model.defaultSigma} (the model's default reading level, standardised units)\n`);
    const m = parseNpy(readFileSync(out));
    expect([m.rows, m.cols]).toEqual([3, 3]);
    const s = model.score(points),
      e = model.energy(points);
    expect(Array.from(m.data)).toEqual([0, 1, 2].flatMap((i) => [s[2 * i], s[2 * i + 1], e[i]]));
    const at = await cli([
      'score',
      '--model',
      join(dir, 'energy.safetensors'),
      '--points',
      join(dir, 'p.csv'),
      '--sigma',
      '0.5',
      '--out',
      '-',
    ]);
    expect(at.stderr).toBe('score: sigma 0.5 (--sigma, standardised units)\n');
    expect(at.stdout.split('\n')[0]).toBe('s0,s1,energy');
    expect(Array.from(parseCsv(at.stdout).data.subarray(0, 2))).toEqual(Array.from(model.score(points, 0.5).subarray(0, 2)));
    model.free();
  });

  it('reads the points from stdin, CSV or .npy (by its magic bytes)', async () => {
    const model = join(dir, 'score.safetensors');
    const fromCsv = await cli(['score', '--model', model, '--points', '-', '--quiet', '--out', '-'], '0,0\n1.5,-2\n-3,0.25\n');
    const fromNpy = await cli(
      ['score', '--model', model, '--points', '-', '--quiet', '--out', '-'],
      encodeNpy({ data: [0, 0, 1.5, -2, -3, 0.25], rows: 3, cols: 2 }, 'f8'),
    );
    const fromFile = await cli(['score', '--model', model, '--points', join(dir, 'p.csv'), '--quiet', '--out', '-']);
    expect(fromCsv.code, fromCsv.stderr).toBe(0);
    expect(fromCsv.stdout).toBe(fromFile.stdout);
    expect(fromNpy.stdout).toBe(fromFile.stdout);
  });
});

describe('- for stdin and stdout', () => {
  it('train --data - reads CSV from stdin; sample --out - writes CSV to stdout (the summary goes to stderr)', async () => {
    const points = await cli(['datasets', 'sample', 'gmm3', '--n', '500', '--out', '-']);
    expect(points.code).toBe(0);
    expect(points.stdout.split('\n')[0]).toBe('x0,x1');
    const viaStdin = join(dir, 'stdin.safetensors'),
      viaFile = join(dir, 'file.safetensors');
    writeFileSync(join(dir, 'd.csv'), points.stdout);
    expect(
      (await cli(['train', '--data', '-', '--loss', 'dsm', '--steps', '20', '--hidden', '8', '--quiet', '--out', viaStdin], points.stdout))
        .code,
    ).toBe(0);
    expect(
      (await cli(['train', '--data', join(dir, 'd.csv'), '--loss', 'dsm', '--steps', '20', '--hidden', '8', '--quiet', '--out', viaFile]))
        .code,
    ).toBe(0);
    const a = await loadCore().then((core) => decodeModel(core, readFileSync(viaStdin)));
    const b = await loadCore().then((core) => decodeModel(core, readFileSync(viaFile)));
    expect(Array.from(a.params.view)).toEqual(Array.from(b.params.view)); // the same data, the same weights
    expect(a.training?.data).toBe('stdin');
    const s = await cli(['sample', '--model', viaStdin, '--n', '5', '--steps', '10', '--out', '-']);
    expect(s.code, s.stderr).toBe(0);
    expect(parseCsv(s.stdout)).toMatchObject({ rows: 5, cols: 2 });
    expect(s.stderr).toMatch(/^wrote stdout: 5 samples, langevin/m);
  });

  it("a CSV header's names are the model's columns and head the samples; without a header, x0, x1", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${170 + 10 * Math.sin(i)};${70 + 8 * Math.cos(1.3 * i)}`).join('\n');
    writeFileSync(join(dir, 'hw.csv'), `height ; "weight (kg)"\n${rows}\n`);
    writeFileSync(join(dir, 'plain.csv'), `${rows}\n`);
    const out = { named: join(dir, 'hw.safetensors'), plain: join(dir, 'plain.safetensors') };
    for (const [file, model] of [
      ['hw.csv', out.named],
      ['plain.csv', out.plain],
    ])
      expect(
        (await cli(['train', '--data', join(dir, file), '--loss', 'dsm', '--steps', '20', '--hidden', '8', '--quiet', '--out', model]))
          .code,
      ).toBe(0);
    const core = await loadCore();
    expect(decodeModel(core, readFileSync(out.named)).columns).toEqual(['height', 'weight (kg)']);
    expect(decodeModel(core, readFileSync(out.plain)).columns).toBeUndefined();
    const head = async (model: string) =>
      (await cli(['sample', '--model', model, '--n', '3', '--steps', '5', '--quiet', '--out', '-'])).stdout.split('\n')[0];
    expect(await head(out.named)).toBe('height,weight (kg)');
    expect(await head(out.plain)).toBe('x0,x1');
  });

  it('the real process: a pipe in, a pipe out, and a reader that stops early (| head) ends the run quietly', () => {
    const r = spawnSync(process.execPath, [BIN, 'datasets', 'sample', '8gaussians', '--n', '200000', '--out', '-'], {
      encoding: 'utf8',
      maxBuffer: 2 ** 30,
    });
    expect(r.status).toBe(0);
    const head = spawnSync(
      'bash',
      ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" datasets sample gmm3 --n 1000000 --out - | head -n 2`],
      {
        encoding: 'utf8',
      },
    );
    expect(head.stdout).toMatch(/^x0,x1\n[-\d.e]+,[-\d.e]+\n$/);
    expect(head.stderr).toBe('');
    const score = spawnSync(
      process.execPath,
      [BIN, 'score', '--model', join(dir, 'score.safetensors'), '--points', '-', '--quiet', '--out', '-'],
      {
        input: r.stdout,
        encoding: 'utf8',
        maxBuffer: 2 ** 30,
      },
    );
    expect(score.status, score.stderr).toBe(0);
    expect(parseCsv(score.stdout)).toMatchObject({ rows: 200000, cols: 2 });
  });
});

describe('help and terminals', () => {
  it('help <verb> prints the verb help, the same as <verb> --help', async () => {
    for (const verb of Object.keys(commands)) {
      const a = await cli(['help', verb]),
        b = await cli([verb, '--help']);
      expect(a.code).toBe(0);
      expect(a.stdout).toBe(b.stdout);
      expect(a.stdout).toMatch(new RegExp(`^scorefield ${verb}: `));
    }
    expect((await cli(['help'])).stdout).toMatch(/run 'scorefield help <command>'/);
  });

  it('no carriage return on stderr when it is not a terminal, or TERM=dumb on a terminal', () => {
    const args = [BIN, 'train', '--data', 'gmm3', '--steps', '400', '--hidden', '8', '--out', join(dir, 'tty.safetensors')];
    const piped = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(piped.status).toBe(0);
    expect(piped.stderr).toMatch(/train \[#+\] 100% 400\/400/);
    expect(piped.stderr).not.toContain('\r');
    // Under a pseudo-terminal (util-linux script): \r redraws with a capable TERM, none with TERM=dumb.
    const underTty = (term: string) =>
      spawnSync(
        'script',
        [
          '-qec',
          args
            .map((a) => `'${a}'`)
            .join(' ')
            .replace(/^/, `'${process.execPath}' `),
          '/dev/null',
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, TERM: term },
        },
      );
    const smart = underTty('xterm'),
      dumb = underTty('dumb');
    if (smart.error) return; // no `script` on this machine: the piped check above still ran
    expect(smart.stdout).toContain('\r');
    expect(dumb.stdout.replace(/\r\n/g, '\n')).not.toContain('\r');
    expect(dumb.stdout).toMatch(/train \[#+\] 100% 400\/400/);
  });
});

describe('completion', () => {
  const flags = (verb: string) => Object.keys({ ...commands[verb].options, ...commonOptions }).map((f) => `--${f}`);

  it('bash: valid syntax (bash -n), every verb and every flag of each verb, and it completes them', async () => {
    const script = (await cli(['completion', 'bash'])).stdout;
    const file = join(dir, 'scorefield.bash');
    writeFileSync(file, script);
    execFileSync('bash', ['-n', file]);
    for (const verb of Object.keys(commands)) {
      expect(script).toMatch(new RegExp(`\\b${verb}\\) flags="${flags(verb).join(' ')}" ;;`));
    }
    const complete = (line: string) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source ${file}; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _scorefield; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      ).trim();
    expect(complete("scorefield sc ''")).toBe(''); // only the first word is a verb
    expect(complete('scorefield s').split('\n').sort()).toEqual(['sample', 'score']);
    expect(complete('scorefield score --p').split('\n')).toEqual(['--points']);
    expect(complete('scorefield help co').split('\n')).toEqual(['completion']);
  });

  it('zsh: every verb and flag; valid syntax when zsh is installed', async () => {
    const script = (await cli(['completion', 'zsh'])).stdout;
    for (const verb of Object.keys(commands)) {
      expect(script).toMatch(new RegExp(`^    '${verb}:`, 'm'));
      const block = script.slice(script.indexOf(`    ${verb}) _arguments`));
      for (const f of flags(verb)) expect(block.split(' ;;')[0]).toContain(`'${f}[`);
    }
    const file = join(dir, '_scorefield');
    writeFileSync(file, script);
    const zsh = spawnSync('zsh', ['-n', file], { encoding: 'utf8' });
    if (zsh.error) console.log('zsh is not installed: the zsh script was checked for content only');
    else expect(zsh.status, zsh.stderr).toBe(0);
  });
});
