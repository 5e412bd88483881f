/** The target types' value lists are the schema's enums, and a target file may only name kernel variants that exist. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_VARIANTS } from '../../src/codegen/kernels.ts';
import { BnncError } from '../../src/errors.ts';
import { loadTargetFile, TARGETS_DIR } from '../../src/targets/load.ts';
import { ARCHES, FEATURES, HARNESS_KINDS, QEMU_SYSTEMS } from '../../src/targets/types.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const schema = JSON.parse(readFileSync(join(TARGETS_DIR, 'target.schema.json'), 'utf8'));

describe('target schema enums', () => {
  it('match the value lists of src/targets/types.ts', () => {
    expect(schema.properties.arch.enum).toEqual([...ARCHES]);
    expect(schema.properties.features.items.enum).toEqual([...FEATURES]);
    expect(schema.properties.qemu.properties.system.enum).toEqual([...QEMU_SYSTEMS]);
    expect(schema.properties.qemu.properties.harness.enum).toEqual([...HARNESS_KINDS]);
  });

  it('reject an unknown kernel variant naming the file and the valid names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bnnc-kernels-'));
    try {
      const json = JSON.parse(readFileSync(join(TARGETS_DIR, 'stm32f4.json'), 'utf8'));
      json.kernels = ['armv7em', 'armv7m', 'portable'];
      const file = join(dir, 'stm32f4.json');
      writeFileSync(file, JSON.stringify(json));
      let error: unknown;
      try { loadTargetFile(file); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(BnncError);
      const text = (error as BnncError).message;
      expect(text).toContain("unknown kernel variant 'armv7m'");
      expect(text).toContain(file);
      expect(text).toContain('kernels[1]');
      for (const name of Object.keys(KERNEL_VARIANTS)) expect(text).toContain(name);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
