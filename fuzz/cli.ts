/**
 * The CLI on one mutant: `node bin/bnnc.mjs ...` as a child process, under
 * /usr/bin/time for its peak RSS (when installed), killed after a timeout.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/version.ts';

const BIN = join(PROJECT_ROOT, 'bin', 'bnnc.mjs');
const GNU_TIME = '/usr/bin/time';
const OUTPUT_CAP = 1 << 20;

export interface CliRun {
  /** Exit code, or null when killed. */
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Peak resident memory in MB, or null without /usr/bin/time. */
  peakMb: number | null;
  seconds: number;
}

export function runCli(args: string[], cwd: string, timeoutMs: number): Promise<CliRun> {
  const rssFile = join(cwd, `.rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const timed = existsSync(GNU_TIME);
  const command = timed ? GNU_TIME : process.execPath;
  const argv = timed ? ['-q', '-f', '%M', '-o', rssFile, process.execPath, BIN, ...args] : [BIN, ...args];
  const env = { ...process.env };
  delete env.BNNC_DEBUG;
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { if (stdout.length < OUTPUT_CAP) stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < OUTPUT_CAP) stderr += d.toString(); });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let peakMb: number | null = null;
      if (timed && existsSync(rssFile)) {
        const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
        peakMb = Number.isFinite(kb) ? kb / 1024 : null;
        rmSync(rssFile, { force: true });
      }
      // GNU time reports a signal-killed command as exit 128 + signal number.
      resolve({ code, signal, timedOut, stdout, stderr, peakMb, seconds: (performance.now() - started) / 1000 });
    });
  });
}
