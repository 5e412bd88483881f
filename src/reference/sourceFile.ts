/**
 * The reference reads the model file again (it evaluates the graph as written,
 * independently of the importer's translation). It must be the same bytes the
 * compiled model came from: a file replaced between import and verification
 * would make the reference check another model than the one compiled.
 */
import { createHash } from 'node:crypto';
import { BnncError } from '../errors.ts';
import { readInputFile } from '../files/read.ts';
import type { Model } from '../ir/types.ts';

export function readSourceAgain(model: Model): Buffer {
  const bytes = readInputFile(model.sourcePath, 'model', 'the model file read at import');
  if (createHash('sha256').update(bytes).digest('hex') !== model.sourceHash) {
    throw new BnncError('the model file changed while bnnc was verifying it', {
      file: model.sourcePath, expected: `the bytes imported (sha256 ${model.sourceHash.slice(0, 16)}...)`,
      hint: 'run the command again once the file is no longer being written',
    });
  }
  return bytes;
}
