/**
 * Fault injection, a testing aid for the verifier itself: BNNC_FAULT names one
 * fault that is applied to the lowered model after the passes, so the emulator
 * and the generated C both carry it. `bnnc verify` must then FAIL whenever the
 * verification data reaches the fault (test/verify/mutation.test.ts).
 *
 *   threshold:<layer>:<channel>:<delta>  threshold of one output channel += delta
 *   flip:<layer>:<channel>               flip bit of one output channel inverted
 *   weight:<layer>:<channel>:<index>     weight number <index> of that channel's row negated
 *                                        (index in the source order of the row: for a
 *                                        convolution kh, kw, input channel; for dense, the input feature)
 *
 * <layer> is a lowered layer's name (as `bnnc inspect` lists it) or its index.
 * Unset or empty: no fault. A malformed value is an error, never ignored.
 * Which layers have channels, thresholds and weight rows, and their ranges,
 * each op states (src/ops/<kind>/index.ts).
 */
import { wordsFor } from '../bitops.ts';
import { BnncError } from '../errors.ts';
import type { LoweredLayer, LoweredModel } from '../ir/types.ts';
import { LOWERED_OPS, opFor } from '../ops/registry.ts';

export const FAULT_VARIABLE = 'BNNC_FAULT';

export type Fault =
  | { kind: 'threshold'; layer: string; channel: number; delta: number }
  | { kind: 'flip'; layer: string; channel: number }
  | { kind: 'weight'; layer: string; channel: number; index: number };

const FORMS = 'threshold:<layer>:<channel>:<delta>, flip:<layer>:<channel> or weight:<layer>:<channel>:<index>';

function malformed(text: string, why: string): BnncError {
  return new BnncError(`malformed fault "${text}": ${why}`, { where: FAULT_VARIABLE, expected: FORMS, hint: `unset ${FAULT_VARIABLE} to run without a fault` });
}

/** An integer field; `signed` allows a leading minus. */
function integerField(text: string, field: string, name: string, signed: boolean): number {
  if (!(signed ? /^[+-]?\d+$/ : /^\d+$/).test(field)) throw malformed(text, `${name} "${field}" is not ${signed ? 'an integer' : 'a non-negative integer'}`);
  const n = Number(field);
  if (!Number.isSafeInteger(n)) throw malformed(text, `${name} "${field}" is too large`);
  return n;
}

/** Parses one fault. The layer name may itself contain ':' (the numeric fields are taken from the right). */
export function parseFault(text: string): Fault {
  const parts = text.split(':');
  const kind = parts[0];
  const numeric = kind === 'flip' ? 1 : kind === 'threshold' || kind === 'weight' ? 2 : -1;
  if (numeric < 0) throw malformed(text, `unknown fault kind "${kind}"`);
  if (parts.length < 2 + numeric) throw malformed(text, `expected ${2 + numeric} fields separated by ':'`);
  const layer = parts.slice(1, parts.length - numeric).join(':');
  if (layer === '') throw malformed(text, 'empty layer');
  const channel = integerField(text, parts[parts.length - numeric], 'channel', false);
  if (kind === 'flip') return { kind, layer, channel };
  const last = parts[parts.length - 1];
  if (kind === 'weight') return { kind, layer, channel, index: integerField(text, last, 'weight index', false) };
  const delta = integerField(text, last, 'delta', true);
  if (delta === 0) throw malformed(text, 'a delta of 0 is no fault');
  return { kind: 'threshold', layer, channel, delta };
}

/** The fault named by BNNC_FAULT, or null when it is unset or empty. */
export function faultFromEnvironment(env: NodeJS.ProcessEnv = process.env): Fault | null {
  const text = env[FAULT_VARIABLE];
  return text === undefined || text === '' ? null : parseFault(text);
}

function faultError(fault: Fault, message: string, expected: string): BnncError {
  return new BnncError(message, { where: `${FAULT_VARIABLE} (${fault.kind} fault on layer "${fault.layer}")`, expected });
}

function findLayer(model: LoweredModel, fault: Fault): number {
  const byName = model.layers.findIndex((l) => l.name === fault.layer);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(fault.layer) && Number(fault.layer) < model.layers.length) return Number(fault.layer);
  throw faultError(fault, `no lowered layer "${fault.layer}"`, `a layer name or index: ${model.layers.map((l, i) => `${i} "${l.name}"`).join(', ')}`);
}

/** The kinds whose op has per-channel thresholds, for error messages. */
function thresholdedKinds(): string {
  return LOWERED_OPS.filter((op) => op.thresholdRange).map((op) => op.kind).join(', ');
}

function withThreshold(model: LoweredModel, layer: LoweredLayer, fault: Fault & { kind: 'threshold' }): LoweredLayer {
  const range = opFor(layer).thresholdRange?.(layer, model);
  if (!range || !('threshold' in layer)) throw faultError(fault, `layer kind ${layer.kind} has no thresholds`, `a thresholded layer (${thresholdedKinds()})`);
  const [lo, hi] = range;
  const value = layer.threshold[fault.channel] + fault.delta;
  if (value < lo || value > hi) {
    throw faultError(fault, `threshold ${layer.threshold[fault.channel]} + ${fault.delta} leaves the kernel's range`, `a result in [${lo}, ${hi}]`);
  }
  const threshold = layer.threshold.slice();
  threshold[fault.channel] = value;
  return { ...layer, threshold } as LoweredLayer;
}

function withFlip(layer: LoweredLayer, fault: Fault & { kind: 'flip' }): LoweredLayer {
  if (!('flip' in layer)) throw faultError(fault, `layer kind ${layer.kind} has no flips`, `a thresholded layer (${thresholdedKinds()})`);
  const flip = layer.flip.slice();
  flip[fault.channel] ^= 1;
  return { ...layer, flip } as LoweredLayer;
}

function withWeight(layer: LoweredLayer, fault: Fault & { kind: 'weight' }): LoweredLayer {
  const rows = opFor(layer).weightRows?.(layer);
  if (!rows || !('weights' in layer)) throw faultError(fault, `layer kind ${layer.kind} has no weights`, 'a convolution or dense layer');
  if (fault.index >= rows.length) throw faultError(fault, `weight index ${fault.index} is outside the row`, `an index in [0, ${rows.length - 1}]`);
  // Same position as the packing (bitops.ts packGrouped): group g of the row, value c in it; tail bits stay 0.
  const g = Math.floor(fault.index / rows.group);
  const c = fault.index % rows.group;
  const word = fault.channel * rows.words + g * wordsFor(rows.group) + (c >>> 5);
  const weights = layer.weights.slice();
  weights[word] = (weights[word] ^ (1 << (c & 31))) >>> 0;
  return { ...layer, weights } as LoweredLayer;
}

/** A copy of the model with the fault applied; errors name what is wrong with the fault. */
export function applyFault(model: LoweredModel, fault: Fault): LoweredModel {
  const index = findLayer(model, fault);
  const layer = model.layers[index];
  const channels = opFor(layer).channels(layer);
  if (fault.channel >= channels) {
    throw faultError(fault, channels === 0 ? `layer kind ${layer.kind} has no channels to fault` : `channel ${fault.channel} does not exist`,
      channels === 0 ? 'a convolution, dense or input binarization layer' : `a channel in [0, ${channels - 1}]`);
  }
  const faulty = fault.kind === 'threshold' ? withThreshold(model, layer, fault) : fault.kind === 'flip' ? withFlip(layer, fault) : withWeight(layer, fault);
  const layers = model.layers.slice();
  layers[index] = faulty;
  return { ...model, layers };
}
