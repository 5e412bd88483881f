/** What the dense ops share: kernel ranges, shape text and the --dump-after line. */
import { wordsFor } from '../../bitops.ts';
import { preview } from './preview.ts';
import type { Limit } from '../types.ts';

/** Largest row and output counts of the dense kernels (int32 arguments, documented in bnn_kernels.h). */
export const DENSE_LIMITS = { rowWords: 65535, rowInputs: 65535, outputs: 65535 } as const;

const SPLIT_CHANNELS = 'split the layer into several smaller ones in the source model';

/** The ranges of a dense kernel `fn`: its outputs, and its packed words per row (binary input) or inputs (integer input). */
export function denseLimits(row: { words: number } | { inputs: number }, outputs: number, fn: string): Limit[] {
  const limits: Limit[] = [{ what: `outputs (${fn} n_out)`, value: outputs, min: 1, max: DENSE_LIMITS.outputs, hint: SPLIT_CHANNELS }];
  if ('words' in row) limits.push({ what: `packed input words (${fn} n_words)`, value: row.words, min: 1, max: DENSE_LIMITS.rowWords, hint: SPLIT_CHANNELS });
  else limits.push({ what: `inputs (${fn} n_in)`, value: row.inputs, min: 1, max: DENSE_LIMITS.rowInputs, hint: 'downscale the input, or binarize it (--input-type float32 with a sign first: binary layers take up to 65,535 words)' });
  return limits;
}

/** Parameters and flash bytes of a thresholded dense layer: its packed weights, one int32 threshold per output and the packed flip bits. */
export function thresholdedDenseConstants(layer: { inFeatures: number; outFeatures: number; weights: Uint32Array }): { params: number; bytes: number } {
  return {
    params: layer.inFeatures * layer.outFeatures + layer.outFeatures,
    bytes: 4 * layer.weights.length + 4 * layer.outFeatures + 4 * wordsFor(layer.outFeatures),
  };
}

export function denseShapeText(layer: { inFeatures: number; outFeatures: number }): string {
  return `${layer.inFeatures} -> ${layer.outFeatures}`;
}

export function thresholdedDenseDescribe(layer: { inFeatures: number; outFeatures: number; threshold: Int32Array; flip: Uint8Array; weights: Uint32Array }): string {
  return `${layer.inFeatures} -> ${layer.outFeatures} threshold=${preview(layer.threshold)} flip=${preview(layer.flip)} weights=${layer.weights.length} words`;
}

export function scoresDescribe(layer: { inFeatures: number; outFeatures: number; weights: Uint32Array; transform: { mult: Int32Array; bias: Int32Array; fracBits: number } | null }): string {
  return `${layer.inFeatures} -> ${layer.outFeatures} weights=${layer.weights.length} words `
    + (layer.transform ? `mult=${preview(layer.transform.mult)} bias=${preview(layer.transform.bias)} Q${layer.transform.fracBits}` : 'scores=dot');
}
