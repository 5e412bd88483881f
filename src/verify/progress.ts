/** Progress bars for long work (cli-progress), on stderr, only when it is a terminal. */
import cliProgress from 'cli-progress';

export interface Progress {
  start(label: string, total: number): void;
  tick(): void;
  stop(): void;
}

export function terminalProgress(): Progress | undefined {
  if (!process.stderr.isTTY) return undefined;
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(label, total) {
      bar = new cliProgress.SingleBar({ format: `${label.padEnd(28)} [{bar}] {value}/{total}`, stream: process.stderr, clearOnComplete: false },
        cliProgress.Presets.shades_classic);
      bar.start(total, 0);
    },
    tick() { bar?.increment(); },
    stop() { bar?.stop(); bar = null; },
  };
}
