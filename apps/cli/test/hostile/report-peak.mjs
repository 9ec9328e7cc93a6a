// Preloaded into each child of the hostile-input suite (node --import): reports the process's peak resident
// memory (KiB) and CPU time (user + system, ms), worker threads included, on file descriptor 3 when it exits,
// however it exits.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  try {
    const u = process.resourceUsage();
    writeSync(3, `${u.maxRSS} ${(u.userCPUTime + u.systemCPUTime) / 1000}\n`);
  } catch {
    /* no fd 3: run by hand */
  }
});
