#!/usr/bin/env node
// `npm run fuzz`: the fuzzer runs from the TypeScript sources through tsx, like bin/bnnc.mjs.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
