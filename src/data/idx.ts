/**
 * IDX files, the format MNIST (and Fashion-MNIST, EMNIST, ...) ships in:
 *   bytes 0-1  zero
 *   byte  2    element type (0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double)
 *   byte  3    number of dimensions
 *   then one big-endian uint32 per dimension, then the elements, big-endian.
 * A folder of IDX files is read as one images file (>= 2 dimensions) plus an
 * optional labels file (1 dimension); which is which comes from the headers,
 * not the file names, because naming varies between mirrors.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BnncError } from '../errors.ts';
import { binaryArray, checkPayloadSize, elementType, product, type ElementCode, type NumericArray, type RawData } from './elements.ts';
import { readDataFile, withoutGzipSuffix } from './files.ts';

const IDX_ELEMENT_CODES: Record<number, ElementCode> = {
  0x08: 'u1',
  0x09: 'i1',
  0x0b: 'i2',
  0x0c: 'i4',
  0x0d: 'f4',
  0x0e: 'f8',
};

const IDX_HEADER_EXPECTED =
  'an IDX header: two zero bytes, the element type (0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, ' +
  '0x0D float, 0x0E double), the number of dimensions, then one big-endian uint32 per dimension';

interface IdxFile {
  file: string;
  array: NumericArray;
}

/**
 * Names that look like IDX files: `t10k-images-idx3-ubyte`, `train-images.idx3-ubyte`,
 * `data.idx`, each optionally `.gz`. Sidecar files such as `*.idx3-ubyte.gz.md5` do not match.
 */
export function isIdxName(name: string): boolean {
  const base = withoutGzipSuffix(name).toLowerCase();
  return /idx\d*(?:[-_.][a-z0-9]+)?$/.test(base) || base.endsWith('ubyte');
}

export function readIdx(file: string): IdxFile {
  const bytes = readDataFile(file);
  return { file, array: parseIdx(file, bytes) };
}

export function parseIdx(file: string, bytes: Uint8Array): NumericArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new BnncError(`not an IDX file (starts with ${hexBytes(bytes.subarray(0, 4))})`, {
      file,
      expected: IDX_HEADER_EXPECTED,
      hint: 'pass a folder of MNIST-style IDX files, a single IDX file, or a .npy/.npz/.csv file',
    });
  }
  const code = IDX_ELEMENT_CODES[bytes[2]];
  if (code === undefined) {
    throw new BnncError(`unknown IDX element type 0x${hex(bytes[2])}`, {
      file,
      where: 'byte 2 of the header',
      expected: IDX_HEADER_EXPECTED,
    });
  }
  const rank = bytes[3];
  const headerSize = 4 + 4 * rank;
  if (rank === 0) {
    throw new BnncError('IDX header declares 0 dimensions', { file, where: 'byte 3 of the header', expected: 'at least 1 dimension (the sample count)' });
  }
  if (bytes.length < headerSize) {
    throw new BnncError(`file is truncated inside the IDX header (${bytes.length} bytes, the header alone needs ${headerSize})`, {
      file,
      hint: 'the file was probably cut off while downloading or copying; fetch it again',
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: rank }, (_, axis) => view.getUint32(4 + 4 * axis, false));
  const type = elementType(code, false);
  const payload = bytes.subarray(headerSize);
  checkPayloadSize({ file }, `${shape.join('x')} elements`, product(shape) * type.size, payload.length);
  return binaryArray(shape, type, payload);
}

/** A single IDX file: the images only; labels would need a second file. */
export function loadIdxFile(file: string): RawData {
  const idx = readIdx(file);
  if (idx.array.shape.length < 2) {
    throw new BnncError('this IDX file has only one dimension, so it looks like a labels file, not images', {
      file,
      expected: 'an images file (idx3, e.g. t10k-images-idx3-ubyte.gz) with at least 2 dimensions',
      hint: 'pass the folder holding both the images and the labels file to use the labels',
    });
  }
  return { inputs: idx.array, inputsFile: file, labels: null, labelsFile: null };
}

export function loadIdxFolder(folder: string): RawData {
  const names = listFiles(folder);
  const idxFiles = names.filter(isIdxName).map((name) => readIdx(join(folder, name)));
  const images = idxFiles.filter((idx) => idx.array.shape.length >= 2);
  const labels = idxFiles.filter((idx) => idx.array.shape.length === 1);
  if (images.length === 0) {
    throw new BnncError(`folder holds no IDX images file (found: ${describeNames(names)})`, {
      file: folder,
      expected: 'an IDX images file such as t10k-images-idx3-ubyte[.gz], optionally with t10k-labels-idx1-ubyte[.gz]',
      hint: 'for other formats pass the .npy, .npz or .csv file itself instead of its folder',
    });
  }
  if (images.length > 1 || labels.length > 1) {
    throw new BnncError(
      `folder is ambiguous: ${images.length} images files (${images.map(baseName).join(', ')}) and ` +
        `${labels.length} labels files (${labels.map(baseName).join(', ') || 'none'})`,
      {
        file: folder,
        expected: 'one IDX images file and at most one IDX labels file',
        hint: 'move the pair you want (e.g. the t10k test set) into a folder of its own',
      },
    );
  }
  const imagesFile = images[0];
  const labelsFile = labels[0] ?? null;
  return {
    inputs: imagesFile.array,
    inputsFile: imagesFile.file,
    labels: labelsFile?.array ?? null,
    labelsFile: labelsFile?.file ?? null,
  };
}

function listFiles(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new BnncError(`cannot list folder: ${(error as Error).message}`, { file: folder });
  }
}

function describeNames(names: string[]): string {
  if (names.length === 0) return 'nothing';
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown}, ... (${names.length} files)` : shown;
}

function baseName(idx: IdxFile): string {
  return basename(idx.file);
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0').toUpperCase();
}

function hexBytes(bytes: Uint8Array): string {
  return bytes.length === 0 ? 'nothing: the file is empty' : Array.from(bytes, hex).join(' ');
}
