#!/usr/bin/env node
import { runProcess } from '../dist/index.js';

await runProcess(process.argv.slice(2));
