/**
 * The two containers Keras saves a whole model in: `.h5` (one HDF5 file, the
 * config in the root attribute `model_config`) and `.keras` (a zip of
 * `config.json`, `metadata.json` and `model.weights.h5`; Keras 3 saving_lib).
 * Sizes are bounded before anything is decompressed.
 */
import { unzipSync } from 'fflate';
import { BnncError } from '../../errors.ts';
import { formatBytes, inputLimit, tooLarge } from '../../files/read.ts';
import { H5File } from './hdf5.ts';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];

const startsWith = (bytes: Uint8Array, sig: number[]) => bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);

export interface KerasContainer {
  format: 'keras-h5' | 'keras';
  /** Keras version that wrote the file, when it says. */
  kerasVersion: string | null;
  configText: string;
  weights: H5File;
}

export function openH5Model(file: string, bytes: Uint8Array): KerasContainer {
  if (!startsWith(bytes, HDF5_SIGNATURE)) {
    throw new BnncError('not an HDF5 file (no HDF5 signature)', { file, expected: 'a Keras model saved with model.save("m.h5")' });
  }
  const h5 = new H5File({ file }, bytes);
  const configText = h5.stringAttribute('', 'model_config');
  if (configText === null) {
    const weightsOnly = h5.stringListAttribute('', 'layer_names') !== null;
    throw new BnncError(weightsOnly ? 'the file holds weights only (model.save_weights)' : 'no model_config attribute', {
      file, expected: 'a whole Keras model: root attribute model_config and group model_weights',
      hint: 'save the model with model.save("m.h5") (or "m.keras"), not save_weights',
    });
  }
  if (h5.group('model_weights') === null) {
    throw new BnncError('no model_weights group', { file, expected: 'the weights Keras writes beside model_config', hint: 'save the model with model.save("m.h5")' });
  }
  return { format: 'keras-h5', kerasVersion: h5.stringAttribute('', 'keras_version'), configText, weights: h5 };
}

const MEMBERS = ['config.json', 'metadata.json', 'model.weights.h5'];

export function openKerasArchive(file: string, bytes: Uint8Array): KerasContainer {
  if (!startsWith(bytes, ZIP_SIGNATURE)) {
    throw new BnncError('not a zip archive', { file, expected: 'a Keras 3 model saved with model.save("m.keras")' });
  }
  // Members decompress under the same limit as model files (BNNC_MAX_MODEL_MB), checked on the sizes the archive declares.
  const limit = inputLimit('model');
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (entry) => {
        if (!MEMBERS.includes(entry.name)) return false;
        if (entry.originalSize > limit) throw tooLarge(file, 'model', `member ${entry.name} declares ${formatBytes(entry.originalSize)},`, entry.name);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof BnncError) throw error;
    throw new BnncError(`cannot read the archive: ${(error as Error).message}`, {
      file, expected: 'a .keras zip archive', hint: 'the file may be truncated; save the model again with model.save("m.keras")',
    });
  }
  for (const name of ['config.json', 'model.weights.h5']) {
    if (!members[name]) throw new BnncError(`the archive has no ${name}`, { file, expected: `a .keras archive with ${MEMBERS.join(', ')}` });
  }
  const decode = (name: string) => new TextDecoder().decode(members[name]);
  const metadata = members['metadata.json'] ? safeJson(decode('metadata.json')) : null;
  const weightsBytes = members['model.weights.h5'];
  if (!startsWith(weightsBytes, HDF5_SIGNATURE)) {
    throw new BnncError('model.weights.h5 is not an HDF5 file', { file, where: 'model.weights.h5', expected: 'the HDF5 weights Keras writes' });
  }
  return {
    format: 'keras',
    kerasVersion: typeof metadata?.keras_version === 'string' ? metadata.keras_version : null,
    configText: decode('config.json'),
    weights: new H5File({ file, member: 'model.weights.h5' }, weightsBytes),
  };
}

function safeJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text);
    return typeof v === 'object' && v !== null ? v : null;
  } catch {
    return null;
  }
}
