/** Where command output goes (replaced in tests). */
import { terminalSafe } from './terminal.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Every line passes terminalSafe: names from model files never reach the terminal as control characters. */
export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${terminalSafe(line)}\n`),
  err: (line) => process.stderr.write(`${terminalSafe(line)}\n`),
};

/**
 * A reader that goes away (`bnnc build ... | head -1`) closes the pipe; Node then
 * reports EPIPE as an 'error' event, which without a listener is an uncaught
 * exception with a stack trace. Nobody reads the output any more, so bnnc drops
 * it and finishes the command; its exit code still tells how the command went.
 */
export function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}
