#!/usr/bin/env node
// The bnnc command: runs the compiled JavaScript in dist/ (`npm run build`,
// which `npm ci`/`npm install` in a clone and `npm pack` run as `prepare`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error: bnnc is not built (dist/ is missing)\n  what to do: run `npm run build` in the bnnc folder\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
