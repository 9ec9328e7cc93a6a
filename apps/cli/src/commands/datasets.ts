import { datasets as registry } from '@scorefield/core-math';
import { defineCommand } from '../command.js';

export const datasets = defineCommand({
  name: 'datasets',
  description: 'list the built-in toy datasets',
  usage: 'scorefield datasets [--json]',
  options: {},
  async run(args, io) {
    const rows = Object.entries(registry).map(([name, spec]) => ({ name, description: spec.description, exactScore: spec.mixture }));
    if (args.json) {
      io.stdout(`${JSON.stringify({ datasets: rows })}\n`);
      return;
    }
    const width = Math.max(...rows.map((r) => r.name.length)) + 2;
    for (const r of rows) io.stdout(`${r.name.padEnd(width)}${r.description}${r.exactScore ? ' (exact score)' : ''}\n`);
  },
});
