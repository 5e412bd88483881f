/**
 * Boundary search on a monotone predicate over an integer range. Every chain
 * of float32 multiplications, additions and divisions by constants is monotone
 * (rounding is monotone), so "is the output negative" changes at most once over
 * a range of accumulator values: finding that point by bisection gives the
 * correct answer for every value in the range. Tests check it exhaustively.
 */
export interface Boundary {
  /** Value of the predicate at the low end of the range. */
  atLow: boolean;
  /** Value at the high end. */
  atHigh: boolean;
  /** First value (in [low, high]) where the predicate equals atHigh; low when constant. */
  firstHigh: number;
}

export function findBoundary(low: number, high: number, predicate: (v: number) => boolean): Boundary {
  const atLow = predicate(low);
  const atHigh = predicate(high);
  if (atLow === atHigh) return { atLow, atHigh, firstHigh: low };
  let lo = low; // predicate(lo) === atLow
  let hi = high; // predicate(hi) === atHigh
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (predicate(mid) === atHigh) hi = mid;
    else lo = mid;
  }
  return { atLow, atHigh, firstHigh: hi };
}

/** Ordered float32 values: k -> the k-th float32 above +0 (negative k: below -0). */
export function orderedFloat32(k: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setUint32(0, Math.abs(k));
  const v = buf.getFloat32(0);
  return k < 0 ? -v : v;
}

/** Index of the largest finite float32 (FLT_MAX) in the ordered float32 line. */
export const FLOAT32_MAX_INDEX = 0x7f7fffff;
