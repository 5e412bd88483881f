/**
 * Mutation test of the verifier (issue 9): random models (dense and conv, some
 * depthwise or dilated with a padded overlapping max-pool; uint8, normalized
 * uint8, binarized float and float32 inputs, RGB images), one fault each (src/verify/faults.ts)
 * on a layer the data exercises. A mutant "reaches" the data when some emulated
 * activation differs from the unfaulted model's; every such mutant must make
 * verification FAIL (an unexplained difference against the float reference),
 * else it survives. Most mutants run the check verify itself runs (emulator vs
 * reference, compareReference.ts) with the reference computed once per model;
 * a few run the whole `verifyOnHost`, where the generated C carries the fault too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulate, type EmulatorResult } from '../../src/emulator/index.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import type { LoweredLayer, LoweredModel, Model } from '../../src/ir/types.ts';
import { runPasses } from '../../src/passes/index.ts';
import { createReference, type ReferenceSample } from '../../src/reference/index.ts';
import { compareWithReference, emptyReferenceStats } from '../../src/verify/compareReference.ts';
import { applyFault, type Fault } from '../../src/verify/faults.ts';
import { deviceInputs } from '../../src/verify/inputs.ts';
import { verifyOnHost } from '../../src/verify/verify.ts';
import { main } from '../../src/cli/main.ts';
import { binaryCnn, binaryMlp, rng, type ConvSpec, type InputKind } from '../helpers/onnxBuilder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bnnc-mutation-'));
const SAMPLES = 48;
const MUTANTS_PER_MODEL = 14;
const REQUIRED = 500;

interface Subject {
  name: string;
  model: Model;
  lowered: LoweredModel;
  /** Raw data values per sample (what the reference reads) and the device inputs (what the emulator reads). */
  raw: Float64Array[];
  inputs: number[][];
  reference: ReferenceSample[];
  clean: EmulatorResult[];
  dataPath: string;
}

function randomModel(index: number): { name: string; bytes: Uint8Array; features: number; input: InputKind } {
  const next = rng(7000 + index);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  // Dense models are the even indices, convolutions the odd ones: every input kind meets both.
  const input = (['uint8', 'normalized', 'binarized', 'float'] as const)[Math.floor(index / 2) % 4];
  if (index % 2 === 0) {
    const widths = [int(8, 90), ...Array.from({ length: int(1, 3) }, () => int(1, 70)), int(2, 10)];
    return { name: `mlp ${input} ${widths.join('-')}`, bytes: binaryMlp({ widths, seed: index + 1, input }), features: widths[0], input };
  }
  const c0 = input !== 'normalized' && next() < 0.5 ? 3 : 1;
  const size = int(5, 11);
  // An input offset cannot precede a zero-padded convolution (bnnc refuses it), so normalized inputs start unpadded.
  const first: ConvSpec = { out: int(1, 40), kernel: int(1, 3), pads: input === 'normalized' ? 0 : int(0, 1), poolBefore: next() < 0.3 };
  const convs: ConvSpec[] = [first];
  if (next() < 0.6) convs.push({ out: int(1, 40), kernel: int(1, 3), pads: int(0, 1), stride: int(1, 2), poolAfter: next() < 0.2 });
  if (convs.length === 2 && index % 4 === 3) {
    // Depthwise or plain, dilated where it fits, then PyTorch's MaxPool2d(3, stride=2, padding=1) on the bits.
    const dilation = index % 8 === 7 && !first.poolBefore && size >= 9 && convs[1].kernel > 1 ? 2 : 1;
    const depthwise = dilation === 1;
    convs[1] = { ...convs[1], groups: depthwise ? first.out : 1, out: depthwise ? first.out * int(1, 2) : convs[1].out, dilation, stride: 1,
      poolAfter: { op: 'MaxPool', kernel: 3, stride: 2, pads: 1 } };
  }
  const dense = next() < 0.5 ? [int(1, 40), int(2, 10)] : [int(2, 10)];
  const name = `cnn ${input} ${c0}x${size}x${size} ${convs.map((c) => `k${c.kernel}c${c.out}${(c.groups ?? 1) > 1 ? `g${c.groups}` : ''}${(c.dilation ?? 1) > 1 ? `d${c.dilation}` : ''}`).join(' ')} ${dense.join('-')}`;
  return { name, bytes: binaryCnn({ input: [c0, size, size], convs, dense, seed: index + 1, inputType: input }), features: c0 * size * size, input };
}

async function subject(index: number): Promise<Subject> {
  const spec = randomModel(index);
  const path = join(dir, `m${index}.onnx`);
  writeFileSync(path, spec.bytes);
  const model = importOnnx(path);
  const lowered = runPasses(model);
  const next = rng(9000 + index);
  const raw = Array.from({ length: SAMPLES }, () => Float64Array.from({ length: spec.features },
    () => (spec.input === 'binarized' ? Math.fround(next()) : spec.input === 'float' ? Math.fround((next() * 2 - 1) * 3) : Math.floor(next() * 256))));
  const inputs = deviceInputs(lowered, { source: 'test', samples: SAMPLES, features: spec.features, shape: model.input.shape, inputs: Float64Array.from(raw.flatMap((r) => Array.from(r))), labels: null });
  const ref = await createReference(model, lowered);
  const reference: ReferenceSample[] = [];
  for (const r of raw) reference.push(await ref.run(r));
  const dataPath = join(dir, `m${index}.csv`);
  writeFileSync(dataPath, raw.map((r) => Array.from(r).join(',')).join('\n'));
  return { name: spec.name, model, lowered, raw, inputs, reference, clean: inputs.map((x) => emulate(lowered, x)), dataPath };
}

/** Unexplained differences of a (possibly faulty) lowered model against the reference: what makes verify FAIL. */
function unexplained(s: Subject, lowered: LoweredModel, emu: EmulatorResult[]): number {
  const stats = emptyReferenceStats('test');
  emu.forEach((r, i) => compareWithReference(lowered, stats, i, s.inputs[i], r, s.reference[i]));
  return stats.divergence.unexplained;
}

function channels(layer: LoweredLayer): number {
  if (layer.kind === 'binarize_input') return layer.features;
  if (layer.kind === 'conv2d_b1' || layer.kind === 'conv2d_int_b1' || layer.kind === 'conv2d_f32_b1' || layer.kind === 'conv2d_grouped_b1') return layer.outShape[2];
  if (layer.kind === 'dense_b1' || layer.kind === 'dense_int_b1' || layer.kind === 'dense_f32_b1') return layer.outFeatures;
  return 0;
}

function rowLength(layer: LoweredLayer): number {
  if (layer.kind === 'conv2d_b1' || layer.kind === 'conv2d_int_b1' || layer.kind === 'conv2d_f32_b1') return layer.kernel[0] * layer.kernel[1] * layer.inShape[2];
  if (layer.kind === 'conv2d_grouped_b1') return layer.kernel[0] * layer.kernel[1] * (layer.inShape[2] / layer.groups);
  if (layer.kind === 'dense_b1' || layer.kind === 'dense_int_b1' || layer.kind === 'dense_f32_b1') return layer.inFeatures;
  return 0;
}

/** A random fault on a thresholded layer (the scores layer has no activation to compare). */
function randomFault(lowered: LoweredModel, next: () => number): Fault {
  const candidates = lowered.layers.map((l, i) => ({ l, i })).filter(({ l }) => channels(l) > 0);
  const { l, i } = candidates[Math.floor(next() * candidates.length)];
  const layer = String(i);
  const channel = Math.floor(next() * channels(l));
  const roll = next();
  if (roll < 0.25) return { kind: 'flip', layer, channel };
  if (roll < 0.6 && rowLength(l) > 0) return { kind: 'weight', layer, channel, index: Math.floor(next() * rowLength(l)) };
  const magnitude = [1, 1, 2, 3, 5, 17][Math.floor(next() * 6)];
  return { kind: 'threshold', layer, channel, delta: next() < 0.5 ? -magnitude : magnitude };
}

function describeFault(f: Fault): string {
  return f.kind === 'flip' ? `flip:${f.layer}:${f.channel}` : f.kind === 'weight' ? `weight:${f.layer}:${f.channel}:${f.index}` : `threshold:${f.layer}:${f.channel}:${f.delta}`;
}

function reaches(clean: EmulatorResult[], faulty: EmulatorResult[]): boolean {
  return faulty.some((r, s) => r.activations.some((bits, l) => bits.some((w, k) => w !== clean[s].activations[l][k])));
}

describe('mutation test: every fault the data reaches makes verify FAIL', () => {
  it(`>= ${REQUIRED} reaching mutants on random models, 0 survivors`, async () => {
    let reaching = 0;
    let unreached = 0;
    const survivors: string[] = [];
    const kinds = new Set<string>();
    for (let index = 0; reaching < REQUIRED && index < 200; index++) {
      const s = await subject(index);
      // The unfaulted model must pass, or a FAIL below proves nothing.
      expect(unexplained(s, s.lowered, s.clean), s.name).toBe(0);
      const next = rng(31 + index);
      for (let m = 0; m < MUTANTS_PER_MODEL; m++) {
        const fault = randomFault(s.lowered, next);
        const faulty = applyFault(s.lowered, fault);
        const emu = s.inputs.map((x) => emulate(faulty, x));
        if (!reaches(s.clean, emu)) { unreached++; continue; }
        reaching++;
        kinds.add(`${s.lowered.layers[Number(fault.layer)].kind}/${fault.kind}`);
        if (unexplained(s, faulty, emu) === 0) survivors.push(`${s.name}: ${describeFault(fault)}`);
      }
    }
    console.log(`mutation test: ${reaching} reaching mutants (${unreached} unreached, not counted), ${survivors.length} survivors; layer/fault kinds: ${[...kinds].sort().join(', ')}`);
    expect(survivors).toEqual([]);
    expect(reaching).toBeGreaterThanOrEqual(REQUIRED);
  }, 600_000);

  it('through the generated C: the host build carries the fault bit for bit and verify FAILs', async () => {
    for (const index of [1, 2, 3, 6]) {
      const s = await subject(index);
      const next = rng(77 + index);
      let fault = randomFault(s.lowered, next);
      let faulty = applyFault(s.lowered, fault);
      for (let tries = 0; !reaches(s.clean, s.inputs.map((x) => emulate(faulty, x))); tries++) {
        expect(tries, `${s.name}: a reaching fault`).toBeLessThan(50);
        fault = randomFault(s.lowered, next);
        faulty = applyFault(s.lowered, fault);
      }
      const report = await verifyOnHost(s.model, faulty, { data: s.dataPath, noSanitize: true });
      expect(report.bitExact.host, `${s.name}: ${describeFault(fault)}`).toEqual({ equal: SAMPLES, total: SAMPLES });
      expect(report.reference!.divergence.unexplained, `${s.name}: ${describeFault(fault)}`).toBeGreaterThan(0);
      expect(report.ok).toBe(false);
    }
  }, 120_000);

  it('bnnc verify with BNNC_FAULT set: a warning, then FAIL; unset: PASS', async () => {
    const s = await subject(0);
    const run = async (fault: string | undefined) => {
      const out: string[] = [];
      const err: string[] = [];
      const saved = process.env.BNNC_FAULT;
      if (fault === undefined) delete process.env.BNNC_FAULT; else process.env.BNNC_FAULT = fault;
      try {
        const code = await main(['node', 'bnnc', 'verify', s.model.sourcePath, '--data', s.dataPath, '--no-sanitize'], { out: (l) => out.push(l), err: (l) => err.push(l) });
        return { code, out: out.join('\n'), err: err.join('\n') };
      } finally {
        if (saved === undefined) delete process.env.BNNC_FAULT; else process.env.BNNC_FAULT = saved;
      }
    };
    const clean = await run(undefined);
    expect(clean.out).toMatch(/PASS/);
    const faulty = await run(`flip:${s.lowered.layers[0].name}:0`);
    expect(faulty.err).toMatch(/warning: BNNC_FAULT=flip:.*a fault is injected/);
    expect(faulty.out).toMatch(/unexplained\s+[1-9]/);
    expect(faulty.out).toMatch(/FAIL/);
    expect(faulty.code).not.toBe(0);
    const bad = await run('threshold:0:1');
    expect(bad.err).toMatch(/malformed fault "threshold:0:1"/);
    expect(bad.code).not.toBe(0);
  }, 60_000);
});
