/** A small seeded generator (mulberry32): the same --seed gives the same mutants on every machine. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A derived generator, so that one case's draws do not shift the next case's. */
  fork(salt: number): Rng {
    return new Rng(Math.imul(this.state ^ salt, 0x9e3779b1) ^ salt);
  }
}

/** Sizes that break naive code: zero, negative, just past a field width, huge, non-integer, not a number. */
export const HOSTILE_SIZES: readonly number[] = [
  0, -1, -7, 2, 127, 128, 255, 256, 32767, 32768, 65536, 1e6, 2 ** 31, 2 ** 32 + 1, 1e9, 1e12, 2 ** 53, -(2 ** 31),
];
