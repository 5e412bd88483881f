/**
 * Resource mutants: files whose danger is their size or kind rather than their
 * content. Gzip bombs of every data format (about 1.2 MB expanding to 1.2 GB),
 * /dev/zero, a named pipe and a folder in place of a model or a data file.
 * All are invalid: bnnc caps what it reads and reads regular files only.
 */
import { gzipBomb } from './bombs.ts';
import type { FuzzCase } from './cases.ts';
import type { Corpus } from './corpus.ts';
import { npyBytes } from './formats.ts';
import type { Rng } from './random.ts';

/** Expanded size of a bomb: about 1.2 GB, past any sensible cap and past the 1 GB memory limit. */
const BOMB_MB = 1200;

function header(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** npy header for `rows` samples of 600 int8 values, with no payload. */
function npyHeader(rows: number): Uint8Array {
  return npyBytes({ descr: '|i1', shape: [rows, 600], values: [] });
}

function idxHeader(rows: number): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  out.set([0, 0, 0x08, 3]);
  [rows, 28, 28].forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return out;
}

type Kind = { what: string; family: 'onnx' | 'data'; build: () => Pick<FuzzCase, 'file' | 'folder'> };

function kinds(): Kind[] {
  const rowsPerChunk = 1748; // 1748 x 600 bytes: about 1 MB per repeated chunk
  const csvLines = 873; // 873 lines of 601 cells: about 1 MB
  const csvLine = `${new Array(600).fill('0').join(',')},0\n`;
  return [
    { what: 'npy gzip bomb', family: 'data', build: () => ({ file: { name: 'bomb.npy.gz', bytes: gzipBomb(npyHeader(rowsPerChunk * BOMB_MB), new Uint8Array(rowsPerChunk * 600), BOMB_MB) } }) },
    {
      what: 'CSV gzip bomb', family: 'data',
      build: () => ({ file: { name: 'bomb.csv.gz', bytes: gzipBomb(header(`${Array.from({ length: 600 }, (_, i) => `c${i}`).join(',')},label\n`), header(csvLine.repeat(csvLines)), BOMB_MB) } }),
    },
    { what: 'IDX gzip bomb', family: 'data', build: () => ({ file: { name: 'bomb-images-idx3-ubyte.gz', bytes: gzipBomb(idxHeader(1337 * BOMB_MB), new Uint8Array(1337 * 784), BOMB_MB) } }) },
    { what: 'data file -> /dev/zero', family: 'data', build: () => ({ file: { name: 'zero.npy', bytes: new Uint8Array(0), special: 'dev-zero' } }) },
    { what: 'data file is a named pipe', family: 'data', build: () => ({ file: { name: 'pipe.csv', bytes: new Uint8Array(0), special: 'fifo' } }) },
    { what: 'model file -> /dev/zero', family: 'onnx', build: () => ({ file: { name: 'model.onnx', bytes: new Uint8Array(0), special: 'dev-zero' } }) },
    { what: 'model file is a named pipe', family: 'onnx', build: () => ({ file: { name: 'model.onnx', bytes: new Uint8Array(0), special: 'fifo' } }) },
    { what: 'model path is a folder', family: 'onnx', build: () => ({ file: { name: 'model.onnx', bytes: new Uint8Array(0), special: 'directory' } }) },
  ];
}

export function resourceCase(id: number, rng: Rng, corpus: Corpus): FuzzCase {
  const kind = rng.pick(kinds());
  const wearable = corpus.data.find((d) => d.base === 'wearable')!;
  // The CSV and npy bombs hold 600 values per sample: the wearable model's input. IDX images are MNIST's.
  const model = kind.what.startsWith('IDX') ? corpus.data.find((d) => d.base === 'mnist')!.model : wearable.model;
  return {
    id, family: kind.family, seed: kind.family === 'data' ? 'data file' : 'model file', mutation: kind.what, invalid: true, resource: true, companions: [],
    pairedModel: kind.family === 'data' ? model : undefined, pairedData: corpus.onnx[0].data, ...kind.build(),
  };
}
