// Preloaded into each child of the hostile-input suite (node --import): reports the process's peak resident
// memory (KiB, worker threads included) on file descriptor 3 when it exits, however it exits.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  try {
    writeSync(3, `${process.resourceUsage().maxRSS}\n`);
  } catch {
    /* no fd 3: run by hand */
  }
});
