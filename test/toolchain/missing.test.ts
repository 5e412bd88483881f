/** What users see when a toolchain is not installed, and how tests skip or fail then. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { BnncError } from '../../src/errors.ts';
import { loadTarget } from '../../src/targets/load.ts';
import type { Target } from '../../src/targets/types.ts';
import { crossBuild, crossCompile, toolchainStatus } from '../../src/toolchain/cross.ts';
import { runQemu } from '../../src/toolchain/qemu.ts';
import { REQUIRE_ENV, toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/count_loop.c', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'bnnc-missing-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** stm32f4 with a compiler and a QEMU that do not exist. */
const fake: Target = (() => {
  const t = loadTarget('stm32f4');
  return {
    ...t,
    name: 'fake-board',
    compiler: { ...t.compiler, cc: 'bnnc-no-such-gcc', aptPackages: ['gcc-fake-none-eabi', 'libfake-dev'] },
    qemu: { ...t.qemu!, system: 'qemu-system-fake' as never },
  };
})();

describe('a missing compiler', () => {
  it('is a BnncError naming the executable, the target file and the apt packages', async () => {
    const e = await crossBuild(fake, { sources: [FIXTURE], includeDirs: [], outDir: scratch }).catch((x) => x);
    expect(e).toBeInstanceOf(BnncError);
    expect(e.message).toMatch(/compiler 'bnnc-no-such-gcc' for target 'fake-board' was not found on PATH/);
    expect(e.message).toMatch(/apt-get install -y gcc-fake-none-eabi libfake-dev/);
    expect(e.context.where).toBe('compiler.cc');
  });

  it('stops crossCompile the same way', async () => {
    const e = await crossCompile(fake, { sources: [FIXTURE], includeDirs: [], outDir: scratch }).catch((x) => x);
    expect(e).toBeInstanceOf(BnncError);
    expect(e.message).toMatch(/apt-get install -y gcc-fake-none-eabi/);
  });

  it('shows in toolchainStatus with every missing executable', () => {
    expect(toolchainStatus(fake)).toEqual({
      available: false,
      missing: ['bnnc-no-such-gcc', 'qemu-system-fake'],
      aptPackages: ['gcc-fake-none-eabi', 'libfake-dev'],
    });
    expect(toolchainStatus(fake, { run: false }).missing).toEqual(['bnnc-no-such-gcc']);
  });
});

describe('a missing QEMU', () => {
  it('names the Debian package that provides it', async () => {
    const t = loadTarget('esp32c3');
    const noQemu = { ...t, qemu: { ...t.qemu!, system: 'qemu-system-riscv32-missing' as never } };
    const e = await runQemu(noQemu, '/nonexistent.elf').catch((x) => x);
    expect(e).toBeInstanceOf(BnncError);
    expect(e.message).toMatch(/'qemu-system-riscv32-missing' was not found on PATH/);
  });
});

describe('toolchainSkipReason', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('skips with a visible reason by default', () => {
    vi.stubEnv(REQUIRE_ENV, '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const reason = toolchainSkipReason(fake);
    expect(reason).toMatch(/fake-board needs bnnc-no-such-gcc, qemu-system-fake/);
    expect(reason).toMatch(/apt-get install -y gcc-fake-none-eabi/);
    expect(warn).toHaveBeenCalledWith(reason);
    warn.mockRestore();
  });

  it(`does not skip when ${REQUIRE_ENV}=1, so the tests fail with the install hint`, () => {
    vi.stubEnv(REQUIRE_ENV, '1');
    expect(toolchainSkipReason(fake)).toBeNull();
  });
});
