/**
 * Targets are data: targets/<name>.json, validated against
 * targets/target.schema.json. This module finds, validates and normalises
 * them; nothing else in bnnc reads those files directly.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { KERNEL_VARIANTS } from '../codegen/kernels.ts';
import { BnncError } from '../errors.ts';
import type { MemoryRegion, QemuSystem, HarnessKind, Target } from './types.ts';

export type * from './types.ts';

/** The repository's targets/ directory (next to src/). */
export const TARGETS_DIR = fileURLToPath(new URL('../../targets/', import.meta.url));

const SCHEMA_FILE = 'target.schema.json';
const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** Which harness each QEMU system can run; a mismatch is a typo in the JSON. */
const HARNESS_FOR_SYSTEM: Record<QemuSystem, HarnessKind> = {
  'qemu-system-arm': 'arm',
  'qemu-system-riscv32': 'riscv',
  'qemu-system-xtensa': 'xtensa',
};

let validator: ValidateFunction | undefined;

function getValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(TARGETS_DIR, SCHEMA_FILE), 'utf8'));
    // verbose: errors carry their parent schema, which lets us list allowed keys.
    validator = new Ajv({ allErrors: false, verbose: true, strict: true }).compile(schema);
  }
  return validator;
}

/** Load one target by name or alias from `dir` (default: the repository's targets/). */
export function loadTarget(name: string, dir: string = TARGETS_DIR): Target {
  if (!NAME_PATTERN.test(name)) {
    throw new BnncError(`invalid target name '${name}'`, {
      expected: 'lower-case letters, digits and dashes, e.g. stm32f4',
      hint: `available targets: ${availableNames(dir)}`,
    });
  }
  const file = join(dir, `${name}.json`);
  if (existsSync(file)) return loadTargetFile(file);
  const byAlias = listTargets(dir).find((t) => t.aliases.includes(name));
  if (byAlias) return byAlias;
  throw new BnncError(`unknown target '${name}'`, {
    expected: `one of: ${availableNames(dir)}`,
    hint: `a new board is a new file ${join(dir, `${name}.json`)} following ${SCHEMA_FILE}`,
  });
}

/** All targets in `dir`, sorted by name. Names and aliases must be unique. */
export function listTargets(dir: string = TARGETS_DIR): Target[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== SCHEMA_FILE)
    .sort();
  const targets = files.map((f) => loadTargetFile(join(dir, f)));
  checkUniqueNames(targets);
  return targets;
}

/** Load and validate one target file. Every problem is a BnncError naming the file. */
export function loadTargetFile(path: string): Target {
  const file = resolve(path);
  const json = parseJson(file);
  const validate = getValidator();
  if (!validate(json)) throw schemaError(file, validate.errors?.[0]);
  const raw = json as RawTarget;
  checkSemantics(file, raw);
  return normalise(file, raw);
}

function availableNames(dir: string): string {
  try {
    return listTargets(dir)
      .map((t) => t.name)
      .join(', ');
  } catch {
    return '(targets directory unreadable)';
  }
}

function parseJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BnncError(`cannot read target file: ${(e as Error).message}`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BnncError(`not valid JSON: ${(e as Error).message}`, { file });
  }
}

/** JSON pointer /qemu/memory/0/origin -> qemu.memory[0].origin, the way a user reads it. */
export function pointerToPath(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(top level)';
}

function joinPath(base: string, key: string): string {
  return base === '(top level)' ? key : `${base}.${key}`;
}

/** Turn the first ajv error into a sentence with a JSON path and what was expected. */
function schemaError(file: string, err: ErrorObject | undefined): BnncError {
  const hint = `see ${join(TARGETS_DIR, SCHEMA_FILE)}`;
  if (!err) return new BnncError('does not match the target schema', { file, hint });
  const path = pointerToPath(err.instancePath);
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return new BnncError('missing required property', {
        file, where: joinPath(path, String(p.missingProperty)), hint,
      });
    case 'additionalProperties': {
      const allowed = Object.keys((err.parentSchema?.properties as object | undefined) ?? {});
      return new BnncError('unknown property', {
        file, where: joinPath(path, String(p.additionalProperty)),
        expected: `one of: ${allowed.join(', ')}`, hint,
      });
    }
    case 'enum':
      return new BnncError(`invalid value ${JSON.stringify(err.data)}`, {
        file, where: path, expected: `one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`, hint,
      });
    case 'const':
      return new BnncError(`invalid value ${JSON.stringify(err.data)}`, {
        file, where: path, expected: JSON.stringify(p.allowedValue), hint,
      });
    case 'contains':
      return new BnncError('list lacks a required entry', {
        file, where: path, expected: `an entry ${JSON.stringify((err.schema as { const?: unknown }).const ?? err.schema)}`, hint,
      });
    case 'type':
      return new BnncError(`invalid value ${JSON.stringify(err.data)}`, {
        file, where: path, expected: `a value of type ${String(p.type).replace(',', ' or ')}`, hint,
      });
    case 'pattern':
      return new BnncError(`invalid value ${JSON.stringify(err.data)}`, {
        file, where: path, expected: `a string matching /${String(p.pattern)}/`, hint,
      });
    default: {
      const description = (err.parentSchema as { description?: string } | undefined)?.description;
      return new BnncError(`invalid value ${JSON.stringify(err.data)}`, {
        file, where: path, expected: `${err.message ?? err.keyword}${description ? ` (${description})` : ''}`, hint,
      });
    }
  }
}

/** Shape straight out of the JSON file (memory regions still hex strings). */
interface RawRegion { origin: string; length: string }
type RawTarget = Omit<Target, 'file' | 'aliases' | 'qemu'> & {
  aliases?: string[];
  qemu: (Omit<NonNullable<Target['qemu']>, 'memory'> & { memory: { flash: RawRegion; ram: RawRegion } }) | null;
};

/** Rules the schema cannot express. */
function checkSemantics(file: string, raw: RawTarget): void {
  const stem = basename(file, '.json');
  if (raw.name !== stem) {
    throw new BnncError(`name '${raw.name}' does not match the file name`, {
      file, where: 'name', expected: JSON.stringify(stem), hint: 'rename the file or the target',
    });
  }
  checkKernelNames(file, raw.kernels);
  if (!raw.qemu) return;
  const harness = HARNESS_FOR_SYSTEM[raw.qemu.system];
  if (raw.qemu.harness !== harness) {
    throw new BnncError(`harness '${raw.qemu.harness}' cannot run on ${raw.qemu.system}`, {
      file, where: 'qemu.harness', expected: JSON.stringify(harness),
    });
  }
  // SysTick (ARM) and CCOUNT (Xtensa) tick at cpuHz; RISC-V's minstret counts instructions directly.
  if (harness !== 'riscv') checkCounterResolution(file, raw.qemu.icountShift, raw.qemu.cpuHz);
  for (const key of ['flash', 'ram'] as const) {
    const r = raw.qemu.memory[key];
    if (parseInt(r.origin, 16) + parseInt(r.length, 16) > 2 ** 32) {
      throw new BnncError('memory region extends past 4 GiB', {
        file, where: `qemu.memory.${key}`, expected: 'origin + length <= 0x100000000',
      });
    }
  }
}

/** Every kernel variant a target prefers must exist: a misspelt one would otherwise be skipped silently. */
function checkKernelNames(file: string, kernels: string[]): void {
  const index = kernels.findIndex((k) => !(k in KERNEL_VARIANTS));
  if (index < 0) return;
  throw new BnncError(`unknown kernel variant '${kernels[index]}'`, {
    file, where: `kernels[${index}]`, expected: `one of: ${Object.keys(KERNEL_VARIANTS).join(', ')}`,
    hint: 'src/codegen/kernels.ts describes each variant',
  });
}

/**
 * Under -icount one instruction lasts 2^shift ns, i.e. r = 2^shift * cpuHz / 1e9
 * counter ticks. Rounding ticks / r recovers the exact count only when r > 2.
 */
function checkCounterResolution(file: string, shift: number, cpuHz: number): void {
  const r = (2 ** shift * cpuHz) / 1e9;
  if (r <= 2) {
    const minShift = Math.floor(Math.log2((2 * 1e9) / cpuHz)) + 1;
    throw new BnncError(`icountShift ${shift} gives ${r} counter ticks per instruction: counts would not be exact`, {
      file, where: 'qemu.icountShift', expected: `at least ${minShift} (2^shift * cpuHz / 1e9 > 2)`,
    });
  }
}

function region(r: RawRegion): MemoryRegion {
  return { origin: parseInt(r.origin, 16), length: parseInt(r.length, 16) };
}

function normalise(file: string, raw: RawTarget): Target {
  const { $schema: _ignored, ...rest } = raw as RawTarget & { $schema?: string };
  const qemu = raw.qemu && {
    ...raw.qemu,
    memory: { flash: region(raw.qemu.memory.flash), ram: region(raw.qemu.memory.ram) },
  };
  return { ...rest, aliases: raw.aliases ?? [], qemu, file };
}

function checkUniqueNames(targets: Target[]): void {
  const owner = new Map<string, Target>();
  for (const t of targets) {
    for (const n of [t.name, ...t.aliases]) {
      const prev = owner.get(n);
      if (prev) {
        throw new BnncError(`target name or alias '${n}' is used twice`, {
          file: t.file, where: t.name === n ? 'name' : 'aliases',
          hint: `also used by ${prev.file}`,
        });
      }
      owner.set(n, t);
    }
  }
}
