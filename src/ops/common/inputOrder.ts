/**
 * The device's order of a first layer's image input: HWC (a camera frame's
 * interleaved pixels), while the source model and the data files are CHW.
 */

/** For each HWC position of an [h, w, c] image, its index in CHW order; null when both orders agree (one channel or one pixel). */
export function chwToHwc([h, w, c]: readonly number[]): Int32Array | null {
  if (c === 1 || h * w === 1) return null;
  const order = new Int32Array(h * w * c);
  for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) order[p * c + ch] = ch * h * w + p;
  return order;
}
