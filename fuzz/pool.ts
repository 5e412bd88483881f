/**
 * Library jobs in worker threads, so that a hang can be stopped (the worker is
 * terminated after a timeout) and a heap blow-up ends one worker, not the fuzzer.
 */
import { Worker } from 'node:worker_threads';
import type { LibraryJob, LibraryResult } from './library.ts';

export type PoolResult = LibraryResult | { status: 'hang' | 'crash'; message: string };

/** V8 heap per worker; typed arrays live outside it and show in the process's peak RSS instead. */
const HEAP_LIMIT_MB = 1024;

class LibraryWorker {
  private worker!: Worker;
  private ready!: Promise<void>;

  constructor() {
    this.start();
  }

  private start(): void {
    this.worker = new Worker(new URL('./worker.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB },
      stdout: true,
      stderr: true,
    });
    this.worker.unref();
    // Anything the sources print goes nowhere: the outcome is what counts.
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', reject);
    });
  }

  async run(job: LibraryJob, timeoutMs: number): Promise<PoolResult> {
    await this.ready;
    return new Promise((resolve) => {
      const finish = (result: PoolResult, restart: boolean) => {
        clearTimeout(timer);
        this.worker.removeAllListeners('message');
        this.worker.removeAllListeners('error');
        this.worker.removeAllListeners('exit');
        if (restart) {
          void this.worker.terminate();
          this.start();
        }
        resolve(result);
      };
      const timer = setTimeout(() => finish({ status: 'hang', message: `no answer within ${timeoutMs / 1000} s` }, true), timeoutMs);
      this.worker.once('message', (result: LibraryResult) => finish(result, false));
      this.worker.once('error', (e: Error & { code?: string }) => finish({ status: 'crash', message: `${e.code ?? e.name}: ${e.message}` }, true));
      this.worker.once('exit', (code) => finish({ status: 'crash', message: `worker exited with code ${code}` }, true));
      this.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

export class LibraryPool {
  private readonly idle: LibraryWorker[];
  private readonly waiting: ((w: LibraryWorker) => void)[] = [];

  constructor(size: number) {
    this.idle = Array.from({ length: size }, () => new LibraryWorker());
  }

  async run(job: LibraryJob, timeoutMs: number): Promise<PoolResult> {
    const worker = this.idle.pop() ?? await new Promise<LibraryWorker>((resolve) => this.waiting.push(resolve));
    try {
      return await worker.run(job, timeoutMs);
    } finally {
      const next = this.waiting.shift();
      if (next) next(worker);
      else this.idle.push(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.map((w) => w.close()));
  }
}
