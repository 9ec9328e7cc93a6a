export { main, runProcess, commands, VERSION } from './cli.js';
export { writeFileAtomic, writeOutput, readInputFile, openInput, checkOutputPath, checkOutputs } from './io.js';
