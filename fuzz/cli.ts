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
/** A run is killed past this resident size, to protect the (shared) machine; it counts as over the limit. */
const WATCHDOG_MB = 2048;

export interface CliRun {
  /** Exit code, or null when killed. */
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Peak resident memory in MB, or null without /usr/bin/time. */
  peakMb: number | null;
  /** Killed by the memory watchdog (resident size past WATCHDOG_MB). */
  memoryKilled: boolean;
  seconds: number;
}

/** Resident size in MB of `pid` and its descendants (node under /usr/bin/time), from /proc; 0 when unreadable. */
function residentMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return kb / 1024 + children.reduce((sum, c) => sum + residentMb(c), 0);
  } catch {
    return 0;
  }
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
    let memoryKilled = false;
    let watchedMb = 0;
    const kill = () => {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    };
    const timer = setTimeout(() => { timedOut = true; kill(); }, timeoutMs);
    const watchdog = setInterval(() => {
      watchedMb = Math.max(watchedMb, residentMb(child.pid!));
      if (watchedMb > WATCHDOG_MB) { memoryKilled = true; kill(); }
    }, 100);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watchdog);
      let peakMb: number | null = null;
      if (timed && existsSync(rssFile)) {
        const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
        peakMb = Number.isFinite(kb) ? kb / 1024 : null;
        rmSync(rssFile, { force: true });
      }
      // GNU time reports a signal-killed command as exit 128 + signal number.
      if (memoryKilled || (peakMb === null && watchedMb > 0)) peakMb = Math.max(peakMb ?? 0, watchedMb);
      resolve({ code, signal, timedOut, stdout, stderr, peakMb, memoryKilled, seconds: (performance.now() - started) / 1000 });
    });
  });
}
