export { main, commands, VERSION } from './cli.js';
export { writeFileAtomic, readInputFile, checkOutputPath } from './io.js';
