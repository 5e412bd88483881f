/**
 * Writing generated files: all or nothing. Files go to a fresh sibling folder
 * first, which then replaces the destination in one rename, so a failure never
 * leaves a half-written output folder.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { BnncError } from '../errors.ts';

export interface OutputFile {
  name: string;
  content: string | Buffer;
}

/** A path for messages: relative to the current folder when inside it, else absolute. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? resolve(path) : rel || '.';
}

export function checkOutputDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new BnncError('the output path is a file, not a folder', { file: dir, expected: 'a folder (new or existing)', hint: 'choose another -o/--out path' });
  }
}

export function writeOutputDir(dir: string, files: OutputFile[]): string {
  checkOutputDir(dir);
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.bnnc-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    for (const f of files) {
      mkdirSync(dirname(join(staging, f.name)), { recursive: true });
      writeFileSync(join(staging, f.name), f.content);
    }
    const old = `${staging}.old`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(staging, target);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return target;
}

/** Writes one file via a temporary name and a rename. */
export function writeOutputFile(path: string, content: string | Buffer): void {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new BnncError('the output path is a folder', { file: path, expected: 'a file name' });
  }
  mkdirSync(dirname(resolve(path)), { recursive: true });
  const tmp = `${path}.bnnc-${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
