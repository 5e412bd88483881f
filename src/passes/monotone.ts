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

/** Where a chain first gives NaN over a range: the accumulator value and the step (1-based) that produced it. */
export interface NaNWitness {
  value: number;
  step: number;
}

/**
 * Finds a value in [low, high] for which `chain` is NaN, exactly, without
 * visiting the whole range. `inputOfStep(k, j)` is the float32 value entering
 * step j for accumulator k; `steps[j]` says what step j does with it. With finite
 * constants a step creates NaN only from an infinite input (x * 0) or a zero one
 * (0 / 0), and a NaN-free monotone sequence stays monotone through every step
 * (rounding is monotone). So per step, infinities can only sit at the range's
 * ends, and a zero is found by bisection at the sign change.
 */
export function findNaN(
  low: number, high: number, stepCount: number,
  inputOfStep: (k: number, j: number) => number,
  createsNaN: (j: number, x: number) => boolean,
): NaNWitness | null {
  for (let j = 0; j < stepCount; j++) {
    for (const k of [low, high, zeroCrossing(low, high, (v) => inputOfStep(v, j))]) {
      if (k !== null && createsNaN(j, inputOfStep(k, j))) return { value: k, step: j + 1 };
    }
  }
  return null;
}

/** For a monotone f on [low, high]: the first k where f(k) has the sign of f(high) (or is 0), when f changes sign; else null. */
function zeroCrossing(low: number, high: number, f: (k: number) => number): number | null {
  const atHigh = (k: number) => (f(high) >= 0 ? f(k) >= 0 : f(k) <= 0);
  if (atHigh(low)) return f(low) === 0 ? low : null;
  return findBoundary(low, high, atHigh).firstHigh;
}
