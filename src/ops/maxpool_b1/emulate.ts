/**
 * maxpool_b1: max of +/-1 values is +1 unless all are -1, i.e. the AND of the
 * bits (bit 1 = -1). Word by word: each output pixel's words are the AND of the
 * window pixels' words (channels are packed per pixel, so the same word holds
 * the same channels). A padded position acts as -1 (bit 1, the AND's
 * identity), so it never wins: ONNX pads a max-pool with -inf.
 */
import { wordsFor } from '../../bitops.ts';
import type { MaxPoolB1Layer } from './index.ts';

export function maxpoolB1(layer: MaxPoolB1Layer, input: Uint32Array): Uint32Array {
  const [h, w, c] = layer.inShape;
  const [oh, ow] = layer.outShape;
  const [top, left] = layer.pads;
  const words = wordsFor(c);
  // Tail bits beyond the channel count stay 0 (bitops convention), even for a window that is mostly padding.
  const tail = c % 32 === 0 ? 0xffffffff : (2 ** (c % 32) - 1);
  const out = new Uint32Array(oh * ow * words);
  for (let py = 0; py < oh; py++) {
    for (let px = 0; px < ow; px++) {
      for (let k = 0; k < words; k++) {
        let all = k === words - 1 ? tail : 0xffffffff;
        for (let ky = 0; ky < layer.kernel[0]; ky++) {
          const y = py * layer.stride[0] - top + ky;
          if (y < 0 || y >= h) continue;
          for (let kx = 0; kx < layer.kernel[1]; kx++) {
            const x = px * layer.stride[1] - left + kx;
            if (x >= 0 && x < w) all &= input[(y * w + x) * words + k];
          }
        }
        out[(py * ow + px) * words + k] = all >>> 0;
      }
    }
  }
  return out;
}
