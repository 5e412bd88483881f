/**
 * NumPy `.npy` files (format versions 1, 2 and 3):
 *   "\x93NUMPY", major, minor,
 *   header length (uint16 LE for v1, uint32 LE for v2/v3),
 *   a Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (4, 784), }
 *   padded with spaces and a newline, then the raw elements.
 * The header is a Python literal, not JSON, so the three keys are picked out
 * with patterns instead of a general parser.
 */
import { BnncError } from '../errors.ts';
import {
  binaryArray,
  checkPayloadSize,
  elementType,
  product,
  type ElementCode,
  type ElementType,
  type ErrorPlace,
  type NumericArray,
  type RawData,
} from './elements.ts';
import { readDataFile } from './files.ts';

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

const SUPPORTED_DTYPES = '|u1 |i1 |b1 <u2 <i2 <u4 <i4 <u8 <i8 <f4 <f8 (or > big-endian variants)';

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

export function loadNpyFile(file: string): RawData {
  return { inputs: parseNpy({ file }, readDataFile(file)), inputsFile: file, labels: null, labelsFile: null };
}

/** `place` names the file and, for arrays inside an .npz, the member. */
export function parseNpy(place: ErrorPlace, bytes: Uint8Array): NumericArray {
  const { headerText, dataStart } = readHeaderBlock(place, bytes);
  const header = parseHeaderDict(place, headerText);
  if (header.fortranOrder) {
    throw new BnncError('array is stored in Fortran (column-major) order, which bnnc does not read', {
      ...place,
      expected: "C order ('fortran_order': False)",
      hint: 'save it again with np.save(path, np.ascontiguousarray(array))',
    });
  }
  const type = parseDescr(place, header.descr);
  const payload = bytes.subarray(dataStart);
  checkPayloadSize(place, `'${header.descr}' elements of shape (${header.shape.join(', ')})`, product(header.shape) * type.size, payload.length);
  return binaryArray(header.shape, type, payload);
}

function readHeaderBlock(place: ErrorPlace, bytes: Uint8Array): { headerText: string; dataStart: number } {
  if (!NPY_MAGIC.every((byte, i) => bytes[i] === byte)) {
    throw new BnncError('not a NumPy .npy file (the "\\x93NUMPY" signature is missing)', {
      ...place,
      expected: 'a file written by numpy.save',
      hint: 'check that the file is really .npy; text data should be saved as .csv',
    });
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1 && bytes.length >= 10) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if ((major === 2 || major === 3) && bytes.length >= 12) {
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else if (major !== undefined && major >= 1 && major <= 3) {
    throw truncatedHeader(place, bytes.length);
  } else {
    throw new BnncError(`unsupported .npy format version ${major ?? '(missing)'}.${bytes[7] ?? ''}`, {
      ...place,
      expected: 'format version 1, 2 or 3',
      hint: 'save the array with a current NumPy (np.save)',
    });
  }
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) throw truncatedHeader(place, bytes.length);
  // Versions 1 and 2 store the header as latin-1, version 3 as UTF-8; both are ASCII in practice.
  const encoding = major === 3 ? 'utf-8' : 'latin1';
  const headerText = new TextDecoder(encoding).decode(bytes.subarray(headerStart, dataStart));
  return { headerText, dataStart };
}

function truncatedHeader(place: ErrorPlace, size: number): BnncError {
  return new BnncError(`file is truncated inside the .npy header (${size} bytes)`, {
    ...place,
    hint: 'the file was probably cut off while downloading or copying; fetch it again',
  });
}

function parseHeaderDict(place: ErrorPlace, text: string): NpyHeader {
  const malformed = (key: string) =>
    new BnncError(`.npy header has no readable '${key}' entry: ${text.trim()}`, {
      ...place,
      expected: "a header like {'descr': '<f4', 'fortran_order': False, 'shape': (4, 784), }",
      hint: 'save the array with numpy.save',
    });
  if (/['"]descr['"]\s*:\s*\[/.test(text)) {
    throw new BnncError('array has a structured (record) dtype; bnnc reads plain numeric arrays only', {
      ...place,
      expected: `one of ${SUPPORTED_DTYPES}`,
      hint: 'save each field as its own array, e.g. np.savez(path, inputs=x, labels=y)',
    });
  }
  const descr = /['"]descr['"]\s*:\s*(['"])(.*?)\1/.exec(text)?.[2];
  if (descr === undefined) throw malformed('descr');
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  if (fortran === undefined) throw malformed('fortran_order');
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (shapeText === undefined) throw malformed('shape');
  // Python 2 wrote long integers with an 'L' suffix: (4L, 784L).
  const dims = shapeText.split(',').map((dim) => dim.trim()).filter((dim) => dim !== '');
  if (!dims.every((dim) => /^\d+L?$/.test(dim))) throw malformed('shape');
  return { descr, fortranOrder: fortran === 'True', shape: dims.map((dim) => Number.parseInt(dim, 10)) };
}

function parseDescr(place: ErrorPlace, descr: string): ElementType {
  const match = /^([<>|=])([biuf])(\d+)$/.exec(descr);
  const code = match ? `${match[2]}${match[3]}` : '';
  if (!match || !isSupportedCode(code)) {
    throw new BnncError(`unsupported dtype '${descr}'`, {
      ...place,
      expected: `one of ${SUPPORTED_DTYPES}`,
      hint: descr.includes('O')
        ? 'object arrays hold pickled Python objects; convert to a numeric array (np.asarray(a, dtype=np.float32)) before saving'
        : 'convert before saving, e.g. np.save(path, array.astype(np.float32))',
    });
  }
  // '|' (no byte order) only occurs with 1-byte types; '=' is "native", which
  // NumPy never writes to files, so treat it like every common host: little-endian.
  return elementType(code, match[1] !== '>');
}

function isSupportedCode(code: string): code is ElementCode {
  return ['b1', 'u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8', 'f4', 'f8'].includes(code);
}
