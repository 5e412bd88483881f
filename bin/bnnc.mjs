#!/usr/bin/env node
// The bnnc command: runs the compiled JavaScript in dist/ (`npm run build`,
// which `npm ci`/`npm install` in a clone and `npm pack` run as `prepare`).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/', import.meta.url);
if (!existsSync(new URL('main.js', dist))) {
  process.stderr.write('error: bnnc is not built (dist/ is missing)\n  what to do: run `npm run build` in the bnnc folder\n');
  process.exit(1);
}
// `bnnc ... | head` closes the pipe early: end quietly instead of an EPIPE stack trace.
const { ignoreClosedOutput } = await import(new URL('io.js', dist).href);
ignoreClosedOutput();
const { main } = await import(new URL('main.js', dist).href);
process.exitCode = await main(process.argv);
