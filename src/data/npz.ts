/**
 * NumPy `.npz` archives: a zip (stored by np.savez, deflated by
 * np.savez_compressed) of `<name>.npy` members. bnnc reads the member
 * `inputs` and, when present, `labels`; anything else in the archive is
 * ignored, so an .npz made for training (with extra arrays) still works.
 */
import { unzipSync } from 'fflate';
import { BnncError } from '../errors.ts';
import type { RawData } from './elements.ts';
import { inputLimit, tooLarge } from '../files/read.ts';
import { readDataFile } from './files.ts';
import { parseNpy } from './npy.ts';

const INPUTS = 'inputs';
const LABELS = 'labels';

export function loadNpzFile(file: string): RawData {
  const { members, arrayNames } = unzipWantedMembers(file, readDataFile(file));
  const inputsBytes = members[`${INPUTS}.npy`];
  if (inputsBytes === undefined) {
    throw new BnncError(`archive has no '${INPUTS}' array (found: ${arrayNames.length ? arrayNames.join(', ') : 'no arrays'})`, {
      file,
      expected: `an array named '${INPUTS}' (samples first) and optionally '${LABELS}'`,
      hint: `save with np.savez(path, ${INPUTS}=x, ${LABELS}=y)`,
    });
  }
  const labelsBytes = members[`${LABELS}.npy`];
  return {
    inputs: parseNpy({ file, where: `array '${INPUTS}'` }, inputsBytes),
    inputsFile: file,
    labels: labelsBytes ? parseNpy({ file, where: `array '${LABELS}'` }, labelsBytes) : null,
    labelsFile: labelsBytes ? file : null,
  };
}

/**
 * Decompresses only `inputs.npy` and `labels.npy`, but remembers every array
 * name for messages. The sizes the archive declares are checked against the
 * data limit before anything is inflated; a member that claims less than it
 * holds is cut at its declared size (fflate writes into a buffer of that size),
 * so a zip bomb cannot grow past the limit.
 */
function unzipWantedMembers(file: string, bytes: Uint8Array): { members: Record<string, Uint8Array>; arrayNames: string[] } {
  const arrayNames: string[] = [];
  const limit = inputLimit('data');
  let wantedBytes = 0;
  try {
    const members = unzipSync(bytes, {
      filter: (entry) => {
        arrayNames.push(entry.name.replace(/\.npy$/, ''));
        const wanted = entry.name === `${INPUTS}.npy` || entry.name === `${LABELS}.npy`;
        if (wanted) wantedBytes += entry.originalSize;
        if (wanted && wantedBytes > limit) throw tooLarge(file, 'data', `array '${entry.name.replace(/\.npy$/, '')}' decompresses to`);
        return wanted;
      },
    });
    return { members, arrayNames };
  } catch (error) {
    if (error instanceof BnncError) throw error;
    throw new BnncError(`cannot read the archive: ${(error as Error).message}`, {
      file,
      expected: 'a zip archive written by np.savez or np.savez_compressed',
      hint: 'the file may be truncated or not an .npz; save it again with np.savez',
    });
  }
}
