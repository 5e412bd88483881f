/**
 * Corrupted models (truncated at many points, bits flipped) either import or
 * fail with a BnncError: never a TypeError or a stack trace.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BnncError } from '../../src/errors.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';

function corruptions(bytes: Uint8Array, count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    if (i % 2 === 0) return bytes.subarray(0, Math.floor((i / count) * bytes.length));
    const b = Uint8Array.from(bytes);
    for (let k = 0; k < 8; k++) b[(i * 7919 * (k + 1)) % b.length] ^= 1 << (k % 8);
    return b;
  });
}

describe('corrupted ONNX files', () => {
  for (const path of ['examples/wearable-motion/model.onnx', 'examples/peer-models/qonnx-tfc-w1a1/TFC_1W1A.onnx']) {
    it(`${path}: 60 truncations and bit flips give BnncErrors only`, () => {
      const crashes: string[] = [];
      for (const [i, b] of corruptions(readFileSync(path), 60).entries()) {
        try {
          runPasses(importOnnx('corrupt.onnx', {}, b));
        } catch (e) {
          if (!(e instanceof BnncError)) crashes.push(`case ${i}: ${(e as Error).stack}`);
          else expect((e as Error).message).toContain('corrupt.onnx');
        }
      }
      expect(crashes).toEqual([]);
    });
  }
});
