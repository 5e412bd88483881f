// Worker thread of the fuzzer's library driver: runs the TypeScript sources
// through tsx (as bin/bnnc.mjs does) and answers one job per message.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runLibrary } = await import('./library.ts');
parentPort.on('message', (job) => parentPort.postMessage(runLibrary(job)));
parentPort.postMessage({ ready: true });
