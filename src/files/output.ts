/**
 * Output folders (`build -o`, `demo -o`, `flash -o`, `verify --keep`): bnnc
 * replaces only a folder it created (one holding OUTPUT_MARKER) or an empty
 * one, never `""`, `/`, the current directory, or a folder that contains the
 * model, the data or the current directory. Replacement is atomic: the files
 * go to a sibling staging folder, the old folder is emptied into a sibling
 * trash folder (its marker last, so a crash leaves it recognisably bnnc's) and
 * the staging folder is renamed onto the now empty folder, which POSIX rename
 * does in one step. The output folder exists at every instant; leftovers of a
 * crash are removed by the next run.
 */
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { BnncError } from '../errors.ts';
import { makeOwnedFolder, OUTPUT_MARKER, releaseOwnedFolder, removeOwnedFolder, removeStaleFolders, writeMarker } from './temporary.ts';

export { OUTPUT_MARKER } from './temporary.ts';

export interface OutputFile {
  name: string;
  content: string | Buffer;
}

export interface OutputGuard {
  /** The option that named the folder, for messages (-o, --keep). */
  option?: string;
  /** Input files (model, data) the folder must not contain. */
  inputs?: (string | undefined)[];
}

const SUGGESTION = 'choose a new or empty folder (e.g. -o out/<model>); bnnc replaces only folders it created itself, which hold a .bnnc-output file';

function refuse(message: string, dir: string, guard: OutputGuard, hint = SUGGESTION): never {
  throw new BnncError(message, { file: dir === '' ? undefined : dir, where: dir === '' ? guard.option ?? '-o' : undefined, hint });
}

/** The real path of `path`, resolving symbolic links in the part that exists. */
function realPath(path: string): string {
  const missing: string[] = [];
  let p = resolve(path);
  for (;;) {
    try {
      return join(realpathSync(p), ...missing.reverse());
    } catch {
      const parent = dirname(p);
      if (parent === p) return resolve(path);
      missing.push(basename(p));
      p = parent;
    }
  }
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel));
}

/** Why `dir` cannot be an output folder, before any work is done; returns its absolute path. */
export function checkOutputDir(dir: string, guard: OutputGuard = {}): string {
  if (dir.trim() === '') {
    refuse('the output folder name is empty', dir, guard, `give a folder, e.g. ${guard.option ?? '-o'} out/model (an empty name usually means an unset shell variable)`);
  }
  const target = resolve(dir);
  const real = realPath(target);
  if (dirname(real) === real) refuse('the output folder is the root of the file system', dir, guard);
  if (isInside(realPath(process.cwd()), real)) {
    refuse(real === realPath(process.cwd()) ? 'the output folder is the current directory' : 'the output folder contains the current directory', dir, guard);
  }
  for (const input of guard.inputs ?? []) {
    if (input && isInside(realPath(input), real)) refuse(`the output folder contains the input ${input}`, dir, guard);
  }
  checkExistingOutput(dir, target, guard);
  checkParent(dir, target);
  return target;
}

function checkExistingOutput(dir: string, target: string, guard: OutputGuard): void {
  let stats;
  try {
    stats = lstatSync(target);
  } catch {
    return; // does not exist yet
  }
  if (stats.isSymbolicLink()) refuse('the output folder is a symbolic link', dir, guard, 'give the folder it points to, or another folder');
  if (!stats.isDirectory()) refuse('the output path is a file, not a folder', dir, guard, 'choose another -o/--out path');
  const entries = readdirSync(target);
  if (entries.length > 0 && !entries.includes(OUTPUT_MARKER) && !writtenByEarlierBnnc(target)) {
    refuse(`the output folder holds files bnnc did not write (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''})`, dir, guard);
  }
}

/**
 * Folders from bnnc versions before the marker: every file in them starts with
 * bnnc's banner (library.json, which has no comments, names bnnc in its
 * keywords). Anything else (a single user file) makes the folder the user's.
 */
function writtenByEarlierBnnc(dir: string, budget = { files: 2000 }): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (--budget.files < 0) return false;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!writtenByEarlierBnnc(path, budget)) return false;
    } else if (!entry.isFile() || !startsWithBanner(path, entry.name)) {
      return false;
    }
  }
  return true;
}

function startsWithBanner(path: string, name: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const text = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString('latin1');
    return name === 'library.json' ? text.includes('"bnnc"') : /^(\/\*\n \*|#) \S+: generated by bnnc /.test(text);
  } finally {
    closeSync(fd);
  }
}

/** The nearest existing ancestor must be a folder (`afile/sub` is not a place for an output). */
function checkParent(dir: string, target: string): void {
  for (let p = dirname(target); ; p = dirname(p)) {
    if (existsSync(p)) {
      if (!statSync(p).isDirectory()) throw new BnncError(`${p} is a file, so no folder can be made under it`, { file: dir, hint: 'choose another output path' });
      return;
    }
    if (dirname(p) === p) return;
  }
}

function osError(what: string, dir: string, e: unknown): BnncError {
  return new BnncError(`${what}: ${(e as Error).message}`, { file: dir, hint: 'choose a folder you can write to (e.g. under your home or the project)' });
}

/** Staging and trash folders beside `target`: .<name>.bnnc-new-<pid>-<n>, .<name>.bnnc-old-<pid>-<n>. */
function siblingPattern(target: string): RegExp {
  const name = basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${name}\\.bnnc-(?:new|old)-(\\d+)-\\d+$`);
}

/** Folders earlier versions of bnnc left after a crash: .<name>.bnnc-<pid>[.old]. */
function legacyPattern(target: string): RegExp {
  const name = basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${name}\\.bnnc-(\\d+)(?:\\.old)?$`);
}

let siblingCount = 0;

function sibling(target: string, kind: 'new' | 'old'): string {
  return join(dirname(target), `.${basename(target)}.bnnc-${kind}-${process.pid}-${siblingCount++}`);
}

/** An output folder being written: files go to `staging` until commit() puts them in place. */
export interface StagedOutput {
  target: string;
  staging: string;
  commit(): string;
  discard(): void;
}

/** Checks `dir`, cleans up after crashed runs, and opens a staging folder beside it. */
export function stageOutputDir(dir: string, guard: OutputGuard = {}): StagedOutput {
  const target = checkOutputDir(dir, guard);
  const parent = dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw osError('cannot create the output folder', dir, e);
  }
  removeStaleFolders(parent, siblingPattern(target));
  removeStaleFolders(parent, legacyPattern(target), true);
  let staging: string;
  try {
    staging = makeOwnedFolder(sibling(target, 'new'));
  } catch (e) {
    throw osError('cannot write next to the output folder', dir, e);
  }
  return {
    target,
    staging,
    commit: () => {
      publish(staging, target);
      releaseOwnedFolder(staging);
      return target;
    },
    discard: () => removeOwnedFolder(staging),
  };
}

/** Replaces `target` (absent, empty or bnnc's) by `staging`; `target` exists at every instant once it existed. */
function publish(staging: string, target: string): void {
  if (!existsSync(target)) {
    renameSync(staging, target);
    return;
  }
  const trash = makeOwnedFolder(sibling(target, 'old'));
  const entries = readdirSync(target).sort((a, b) => Number(a === OUTPUT_MARKER) - Number(b === OUTPUT_MARKER));
  for (const entry of entries) renameSync(join(target, entry), join(trash, entry));
  try {
    renameSync(staging, target); // onto an empty folder: atomic on POSIX
  } catch {
    rmSync(target, { recursive: true, force: true }); // systems whose rename does not replace an empty folder
    renameSync(staging, target);
  }
  removeOwnedFolder(trash);
}

/** Writes `files` as the whole content of the output folder `dir`, all or nothing. */
export function writeOutputDir(dir: string, files: OutputFile[], guard: OutputGuard = {}): string {
  const out = stageOutputDir(dir, guard);
  try {
    writeFiles(out.staging, files);
    return out.commit();
  } catch (e) {
    out.discard();
    throw e;
  }
}

export function writeFiles(dir: string, files: OutputFile[]): void {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.name)), { recursive: true });
    writeFileSync(join(dir, f.name), f.content);
  }
}

/**
 * A folder bnnc keeps writing into across runs (a work or cache folder): it
 * must be new, empty or bnnc's, and gets the marker. Nothing in it is removed.
 */
export function claimWorkDir(dir: string, guard: OutputGuard = {}): string {
  const target = checkOutputDir(dir, guard);
  try {
    mkdirSync(target, { recursive: true });
    writeMarker(target);
  } catch (e) {
    throw osError('cannot create the folder', dir, e);
  }
  return target;
}

/** Writes one file via a temporary name and a rename. */
export function writeOutputFile(path: string, content: string | Buffer): void {
  if (path.trim() === '') throw new BnncError('the output file name is empty', { where: '-o', hint: 'give a file name, e.g. -o model.bnn.json' });
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new BnncError('the output path is a folder', { file: path, expected: 'a file name' });
  }
  const tmp = `${path}.bnnc-${process.pid}.tmp`;
  try {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw osError('cannot write the output file', path, e);
  }
}
