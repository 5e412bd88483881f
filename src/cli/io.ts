/** Where command output goes (replaced in tests). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
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
