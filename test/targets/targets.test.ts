import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BnncError } from '../../src/errors.ts';
import { listTargets, loadTarget, loadTargetFile, pointerToPath, TARGETS_DIR } from '../../src/targets/load.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bnnc-targets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** stm32f4.json with `edit` applied, written to the scratch dir under `name`.json. */
function brokenCopy(name: string, edit: (t: Record<string, any>) => void): string {
  const json = JSON.parse(readFileSync(join(TARGETS_DIR, 'stm32f4.json'), 'utf8'));
  json.name = name;
  edit(json);
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

function errorOf(fn: () => unknown): BnncError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BnncError);
    return e as BnncError;
  }
  throw new Error('expected a BnncError');
}

describe('targets/*.json', () => {
  const targets = listTargets();

  it('all validate against the schema and are named after their file', () => {
    expect(targets.length).toBeGreaterThanOrEqual(14);
    for (const t of targets) expect(t.file).toBe(join(TARGETS_DIR, `${t.name}.json`));
  });

  it('cover the required targets with their QEMU machines (harness/README.md)', () => {
    const machines = Object.fromEntries(targets.map((t) => [t.name, t.qemu?.machine ?? null]));
    expect(machines).toMatchObject({
      host: null,
      'cortex-m0plus': 'microbit',
      stm32f4: 'mps2-an386',
      netduinoplus2: 'netduinoplus2',
      stm32h7: 'mps2-an500',
      'cortex-m33': 'mps2-an505',
      'cortex-m55': 'mps3-an547',
      esp32c3: 'virt',
      'rp2350-riscv': 'virt',
      esp8266: 'sim',
      esp32: null,
      esp32s3: null,
    });
  });

  it('always offer the portable kernel, and 32-bit words aligned to 4', () => {
    for (const t of targets) {
      expect(t.kernels).toContain('portable');
      expect(t.wordBits).toBe(32);
      expect(t.alignment).toBe(4);
    }
  });

  it('give SysTick/CCOUNT targets an icount shift fine enough for exact counts (r > 2)', () => {
    for (const t of targets.filter((x) => x.qemu && x.qemu.harness !== 'riscv')) {
      const r = (2 ** t.qemu!.icountShift * t.qemu!.cpuHz) / 1e9;
      expect(r, t.name).toBeGreaterThan(2);
    }
  });

  it('turn memory regions into numbers', () => {
    expect(loadTarget('cortex-m33').qemu!.memory).toEqual({
      flash: { origin: 0x10000000, length: 0x400000 },
      ram: { origin: 0x38000000, length: 0x200000 },
    });
  });

  it('keep RISC-V Zb* extensions off for the ESP32-C3 and only Zbb on for the RP2350', () => {
    expect(loadTarget('esp32c3').qemu!.cpu).toBe('rv32,zba=false,zbb=false,zbc=false,zbs=false');
    expect(loadTarget('rp2350-riscv').qemu!.cpu).toBe('rv32,zba=false,zbb=true,zbc=false,zbs=false');
  });
});

describe('loadTarget', () => {
  it('resolves aliases (cortex-m4 is the stm32f4)', () => {
    expect(loadTarget('cortex-m4').name).toBe('stm32f4');
    expect(loadTarget('stm32f4-netduino').name).toBe('netduinoplus2');
  });

  it('names the available targets for an unknown name', () => {
    const e = errorOf(() => loadTarget('pdp11'));
    expect(e.message).toMatch(/unknown target 'pdp11'/);
    expect(e.message).toMatch(/stm32f4/);
  });

  it('rejects names that could escape the targets directory', () => {
    expect(errorOf(() => loadTarget('../etc/passwd')).message).toMatch(/invalid target name/);
  });
});

describe('a broken target file', () => {
  it('names the file and the JSON path of a missing property', () => {
    const file = brokenCopy('no-machine', (t) => delete t.qemu.machine);
    const e = errorOf(() => loadTargetFile(file));
    expect(e.context.file).toBe(file);
    expect(e.context.where).toBe('qemu.machine');
    expect(e.message).toContain(`${file}: qemu.machine: missing required property`);
  });

  it('lists the allowed values of an enum', () => {
    const file = brokenCopy('bad-feature', (t) => (t.features = ['dsp', 'neon']));
    const e = errorOf(() => loadTargetFile(file));
    expect(e.context.where).toBe('features[1]');
    expect(e.context.expected).toContain('"mve"');
  });

  it('names an unknown property and the known ones', () => {
    const file = brokenCopy('typo', (t) => (t.compiler.cflag = []));
    const e = errorOf(() => loadTargetFile(file));
    expect(e.context.where).toBe('compiler.cflag');
    expect(e.message).toMatch(/unknown property/);
    expect(e.context.expected).toContain('cflags');
  });

  it('explains a malformed memory origin', () => {
    const file = brokenCopy('bad-origin', (t) => (t.qemu.memory.ram.origin = '536870912'));
    const e = errorOf(() => loadTargetFile(file));
    expect(e.context.where).toBe('qemu.memory.ram.origin');
    expect(e.context.expected).toBe('a string matching /^0x[0-9a-fA-F]{1,8}$/');
  });

  it('says which type was expected', () => {
    const file = brokenCopy('bad-budget', (t) => (t.budget.flashBytes = '512K'));
    const e = errorOf(() => loadTargetFile(file));
    expect(e.context.where).toBe('budget.flashBytes');
    expect(e.context.expected).toBe('a value of type integer');
  });

  it('requires the portable kernel', () => {
    const file = brokenCopy('no-portable', (t) => (t.kernels = ['armv7em']));
    const e = errorOf(() => loadTargetFile(file));
    expect(e.context.where).toBe('kernels');
    expect(e.context.expected).toContain('portable');
  });

  it('requires the name to match the file name', () => {
    const file = brokenCopy('renamed', (t) => (t.name = 'other'));
    const e = errorOf(() => loadTargetFile(file));
    expect(e.context.where).toBe('name');
  });

  it('catches a harness that cannot run on the QEMU system', () => {
    const file = brokenCopy('wrong-harness', (t) => (t.qemu.harness = 'riscv'));
    const e = errorOf(() => loadTargetFile(file));
    expect(e.context.where).toBe('qemu.harness');
    expect(e.context.expected).toBe('"arm"');
  });

  it('reports invalid JSON with the file name', () => {
    const file = join(scratch, 'garbage.json');
    writeFileSync(file, '{ "name": "garbage", ');
    const e = errorOf(() => loadTargetFile(file));
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/not valid JSON/);
  });

  it('rejects a name or alias used twice in one directory', () => {
    const dir = mkdtempSync(join(scratch, 'dup-'));
    for (const name of ['one', 'two']) {
      const json = JSON.parse(readFileSync(join(TARGETS_DIR, 'stm32f4.json'), 'utf8'));
      writeFileSync(join(dir, `${name}.json`), JSON.stringify({ ...json, name }));
    }
    writeFileSync(join(dir, 'target.schema.json'), '{}'); // ignored: not a target
    const e = errorOf(() => listTargets(dir));
    expect(e.message).toMatch(/'cortex-m4' is used twice/);
  });
});

describe('pointerToPath', () => {
  it('reads like a property access', () => {
    expect(pointerToPath('')).toBe('(top level)');
    expect(pointerToPath('/qemu/memory/flash/origin')).toBe('qemu.memory.flash.origin');
    expect(pointerToPath('/boards/2')).toBe('boards[2]');
  });
});

describe('SysTick resolution check', () => {
  it('rejects an icount shift too small for exact Cortex-M counts', () => {
    const file = brokenCopy('coarse', (t) => (t.qemu.icountShift = 6)); // 25 MHz * 64 / 1e9 = 1.6
    const e = errorOf(() => loadTargetFile(file));
    expect(e.context.where).toBe('qemu.icountShift');
    expect(e.context.expected).toMatch(/at least 7/);
  });
});
