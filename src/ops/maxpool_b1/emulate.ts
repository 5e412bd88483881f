/**
 * maxpool_b1: max of +/-1 values is +1 unless all are -1, i.e. the AND of the
 * bits (bit 1 = -1). A padded position acts as -1 (bit 1, the AND's identity),
 * so it never wins: ONNX pads a max-pool with -inf.
 */
import { getGroupedBit, packGrouped } from '../../bitops.ts';
import type { MaxPoolB1Layer } from './index.ts';

export function maxpoolB1(layer: MaxPoolB1Layer, input: Uint32Array): Uint32Array {
  const [h, w, c] = layer.inShape;
  const [oh, ow] = layer.outShape;
  const [top, left] = layer.pads;
  const bits = new Uint8Array(oh * ow * c);
  for (let py = 0; py < oh; py++) {
    for (let px = 0; px < ow; px++) {
      for (let ch = 0; ch < c; ch++) {
        let all = 1;
        for (let ky = 0; ky < layer.kernel[0]; ky++) {
          for (let kx = 0; kx < layer.kernel[1]; kx++) {
            const y = py * layer.stride[0] - top + ky;
            const x = px * layer.stride[1] - left + kx;
            if (y >= 0 && y < h && x >= 0 && x < w) all &= getGroupedBit(input, (y * w + x) * c + ch, c);
          }
        }
        bits[(py * ow + px) * c + ch] = all;
      }
    }
  }
  return packGrouped(bits, c);
}
