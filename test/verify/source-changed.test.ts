/**
 * The reference re-reads the model file: if the file no longer holds the bytes
 * that were compiled, verification stops instead of checking another model.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { runPasses } from '../../src/passes/index.ts';
import { createReference } from '../../src/reference/index.ts';
import { binaryMlp } from '../helpers/onnxBuilder.ts';

describe('the model file behind the reference', () => {
  it('a file replaced after import is refused, the unchanged one is read', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bnnc-source-')), 'm.onnx');
    writeFileSync(path, binaryMlp({ widths: [16, 8, 3], seed: 1, input: 'binarized' }));
    const model = importOnnx(path);
    const lowered = runPasses(model);
    await expect(createReference(model, lowered)).resolves.toBeDefined();
    writeFileSync(path, binaryMlp({ widths: [16, 8, 3], seed: 2, input: 'binarized' }));
    await expect(createReference(model, lowered)).rejects.toThrow(/the model file changed while bnnc was verifying it/);
  });
});
