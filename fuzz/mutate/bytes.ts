/** Byte-level mutants: flips, overwrites, truncation, insertion, deletion, duplication and splicing. */
import type { Rng } from '../random.ts';

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x20, 0x0a, 0x22, 0x2c, 0x2d, 0x30, 0x39, 0x5b, 0x7b];

type ByteMutator = (rng: Rng, input: Uint8Array, other: Uint8Array) => { bytes: Uint8Array; what: string };

/** A position biased toward the start, where headers and protobuf field tags live. */
function position(rng: Rng, length: number): number {
  if (length === 0) return 0;
  return rng.chance(0.5) ? rng.int(0, Math.min(length - 1, 255)) : rng.int(0, length - 1);
}

const MUTATORS: Record<string, ByteMutator> = {
  flip(rng, input) {
    const out = Uint8Array.from(input);
    const n = rng.int(1, 8);
    for (let i = 0; i < n && out.length > 0; i++) out[position(rng, out.length)] ^= 1 << rng.int(0, 7);
    return { bytes: out, what: `flip ${n} bit(s)` };
  },
  overwrite(rng, input) {
    const out = Uint8Array.from(input);
    const n = rng.int(1, 4);
    for (let i = 0; i < n && out.length > 0; i++) out[position(rng, out.length)] = rng.pick(INTERESTING_BYTES);
    return { bytes: out, what: `overwrite ${n} byte(s)` };
  },
  truncate(rng, input) {
    const keep = rng.chance(0.3) ? rng.int(0, Math.min(64, input.length)) : rng.int(0, input.length);
    return { bytes: input.slice(0, keep), what: `truncate to ${keep} bytes` };
  },
  insert(rng, input) {
    const at = position(rng, input.length);
    const n = rng.int(1, 16);
    const junk = Uint8Array.from({ length: n }, () => (rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(0, 255)));
    return { bytes: concat(input.subarray(0, at), junk, input.subarray(at)), what: `insert ${n} byte(s) at ${at}` };
  },
  delete(rng, input) {
    const at = position(rng, input.length);
    const n = rng.int(1, 32);
    return { bytes: concat(input.subarray(0, at), input.subarray(at + n)), what: `delete ${n} byte(s) at ${at}` };
  },
  duplicate(rng, input) {
    const at = position(rng, input.length);
    const n = rng.int(1, 256);
    const chunk = input.subarray(at, at + n);
    return { bytes: concat(input.subarray(0, at), chunk, chunk, input.subarray(at + chunk.length)), what: `duplicate ${chunk.length} byte(s) at ${at}` };
  },
  splice(rng, input, other) {
    const cut = position(rng, input.length);
    const from = rng.int(0, Math.max(0, other.length - 1));
    return { bytes: concat(input.subarray(0, cut), other.subarray(from)), what: `splice at ${cut} with another seed from ${from}` };
  },
};

/** One to three stacked byte-level mutations of `input`; `other` is a second seed for splicing. */
export function mutateBytes(rng: Rng, input: Uint8Array, other: Uint8Array): { bytes: Uint8Array; what: string } {
  let bytes = input;
  const steps: string[] = [];
  const rounds = rng.int(1, 3);
  for (let i = 0; i < rounds; i++) {
    const name = rng.pick(Object.keys(MUTATORS));
    const r = MUTATORS[name](rng, bytes, other);
    bytes = r.bytes;
    steps.push(r.what);
  }
  return { bytes, what: `bytes: ${steps.join(', ')}` };
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
