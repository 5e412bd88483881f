/**
 * maxpool_b1: max of +/-1 values is +1 unless all are -1, i.e. the AND of the bits (bit 1 = -1).
 * Word by word: each output pixel's words are the AND of the window pixels' words
 * (channels are packed per pixel, so the same word holds the same channels).
 */
import { wordsFor } from '../../bitops.ts';
import type { MaxPoolB1Layer } from './index.ts';

export function maxpoolB1(layer: MaxPoolB1Layer, input: Uint32Array): Uint32Array {
  const [, w, c] = layer.inShape;
  const [oh, ow] = layer.outShape;
  const words = wordsFor(c);
  const out = new Uint32Array(oh * ow * words);
  for (let py = 0; py < oh; py++) {
    for (let px = 0; px < ow; px++) {
      for (let k = 0; k < words; k++) {
        let all = 0xffffffff;
        for (let ky = 0; ky < layer.kernel[0]; ky++) {
          for (let kx = 0; kx < layer.kernel[1]; kx++) {
            all &= input[((py * layer.stride[0] + ky) * w + px * layer.stride[1] + kx) * words + k];
          }
        }
        out[(py * ow + px) * words + k] = all;
      }
    }
  }
  return out;
}
