/**
 * Folders bnnc creates for itself (staging folders of an output, verify's
 * work folders): each carries OUTPUT_MARKER and the creating process id in its
 * name, is removed when its run ends, on SIGINT and SIGTERM, and by a later
 * run when the process that made it is gone (a crash or SIGKILL).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '../version.ts';

/** The file that marks a folder as bnnc's, so a later run may replace it. */
export const OUTPUT_MARKER = '.bnnc-output';

const live = new Set<string>();
let handlersInstalled = false;
const cleanups = new Set<() => void>();

/** Exit statuses of a shell for a process ended by a signal (128 + number). */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Runs `cleanup` when this process ends: normally, on an uncaught error, or
 * on SIGINT/SIGTERM (which then exit with the shell's status, 130/143). Used
 * for bnnc's own folders and for the compilers and QEMU runs still going.
 */
export function cleanUpOnExit(cleanup: () => void): void {
  cleanups.add(cleanup);
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[]) {
    process.on(signal, () => process.exit(SIGNAL_EXIT[signal]));
  }
  process.on('exit', () => {
    for (const run of cleanups) run();
  });
}

function installSignalHandlers(): void {
  cleanUpOnExit(removeLiveFolders);
}

function removeLiveFolders(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

/** Writes the marker that lets a later bnnc run replace or clean `dir`. */
export function writeMarker(dir: string): void {
  writeFileSync(join(dir, OUTPUT_MARKER), `Written by bnnc ${VERSION}. bnnc replaces this folder on its next run with the same output path.\n`);
}

/** Makes `dir` (which must not exist) as a folder that disappears with this process. */
export function makeOwnedFolder(dir: string): string {
  installSignalHandlers();
  mkdirSync(dir);
  live.add(dir);
  writeMarker(dir);
  return dir;
}

/** Removes one of this process's folders now. */
export function removeOwnedFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}

/** Keeps the folder when the process ends (it became an output). */
export function releaseOwnedFolder(dir: string): void {
  live.delete(dir);
}

/** A fresh folder under the system's temporary directory: bnnc-<what>-<pid>-XXXXXX. */
export function makeTemporaryFolder(what: string): string {
  removeStaleFolders(tmpdir(), new RegExp(`^bnnc-${what}-(\\d+)-[A-Za-z0-9]+$`));
  installSignalHandlers();
  const dir = mkdtempSync(join(tmpdir(), `bnnc-${what}-${process.pid}-`));
  live.add(dir);
  writeMarker(dir);
  return dir;
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the folders in `parent` whose name matches `pattern` (group 1: the
 * creating process id) when that process is gone and the folder is bnnc's
 * (it holds the marker, or nothing: a crash right after mkdir).
 */
export function removeStaleFolders(parent: string, pattern: RegExp, legacy = false): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    const dir = join(parent, name);
    try {
      const entries = readdirSync(dir);
      if (legacy || entries.length === 0 || existsSync(join(dir, OUTPUT_MARKER))) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Not a folder or not ours to read: leave it.
    }
  }
}
