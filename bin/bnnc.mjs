#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so there is no build step
// between a checkout and a working CLI.
import { register } from 'tsx/esm/api';

register();
const { ignoreClosedOutput } = await import('../src/cli/io.ts');
ignoreClosedOutput();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
