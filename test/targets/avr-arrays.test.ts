/**
 * Issue 9 item 10: avr-gcc rejects any single array over 32,767 bytes ("size of
 * array is too large"). `bnnc build --target avr-mega` refuses such a model at
 * build time with the reason; a model whose largest array is under the limit
 * builds and compiles with avr-gcc. pgm_read_* takes 16-bit addresses, so all
 * constants together must also fit the first 64 KB of flash.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { generateC } from '../../src/codegen/generate.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { crossCompile } from '../../src/toolchain/cross.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';
import { binaryMlp } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-avr-'));
const avr = loadTarget('avr-mega');
const skip = toolchainSkipReason(avr, { run: false });

/** A uint8 MLP whose first weight array is 256 rows x ceil(inputs / 32) words: 36 KB for 1152 inputs, 30 KB for 960. */
function mlp(inputs: number): string {
  const path = join(dir, `mlp${inputs}.onnx`);
  writeFileSync(path, binaryMlp({ widths: [inputs, 256, 4], seed: 8, input: 'uint8' }));
  return path;
}

async function build(path: string, out: string) {
  const lines: string[] = [];
  const code = await main(['node', 'bnnc', 'build', path, '--target', 'avr-mega', '-o', out], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return { code, text: lines.join('\n') };
}

/** The model's kernel and model sources compiled with avr-gcc (no size check by bnnc in between). */
async function avrCompile(path: string, name: string) {
  const lowered = runPasses(importOnnx(path));
  const src = join(dir, name);
  mkdirSync(src, { recursive: true });
  const files = generateC(lowered, { vectors: [Array(lowered.input.features).fill(0)], target: avr.name });
  for (const f of files) writeFileSync(join(src, f.name), f.content);
  const sources = files.filter((f) => f.name.endsWith('.c') && !f.name.endsWith('_selftest.c')).map((f) => join(src, f.name));
  return crossCompile(avr, { sources, includeDirs: [src], outDir: join(src, 'build') }).then(() => null, (e: unknown) => e as Error);
}

describe('AVR: one array at most 32,767 bytes', () => {
  it('a 36 KB layer: bnnc build refuses it, naming the array, its layer and the reason', async () => {
    const r = await build(mlp(1152), join(dir, 'out36'));
    expect(r.code).toBe(2);
    expect(r.text).toMatch(/constant array\(s\) exceed the 32767-byte limit of one object on avr-mega: \w+_l0_weights \(36864 bytes, layer "[^"]+"\)/);
    expect(r.text).toMatch(/avr-gcc rejects larger ones/);
  });

  it('arrays each under 32 KB but 95 KB together: refused, since pgm_read_* reaches only the first 64 KB', async () => {
    const path = join(dir, 'wide.onnx');
    // 960 -> 256 -> 1000 -> 250 -> 4: weight arrays of 30720, 32000 and 32000 bytes.
    writeFileSync(path, binaryMlp({ widths: [960, 256, 1000, 250, 4], seed: 9, input: 'uint8' }));
    const r = await build(path, join(dir, 'out95'));
    expect(r.code).toBe(2);
    expect(r.text).toMatch(/the model's constants \(\d+ bytes with the self-test vectors\) exceed the 64512 bytes avr-mega's kernels can read/);
    expect(r.text).toMatch(/16-bit program-memory addresses/);
  });

  it.skipIf(skip !== null)(`avr-gcc itself rejects that array, and compiles a 30 KB one${skip ? ` (${skip})` : ''}`, async () => {
    expect((await avrCompile(mlp(1152), 'c36'))?.message).toMatch(/size of array .* is too large/);
    expect(await avrCompile(mlp(960), 'c30')).toBeNull();
    const r = await build(mlp(960), join(dir, 'out30'));
    expect(r.text).toMatch(/wrote \d+ files/);
    expect(r.code).toBe(0);
  }, 60_000);
});
