/**
 * The declared input quantization (TFLite's convention): the device delivers
 * integers v and the model's input is S * (v - Z). bnnc records it as the
 * first IR layer, two float32 steps (sub Z, then mul S), which the passes fold
 * into the first layer like any affine step and every float reference applies
 * first (so the reference computes exactly the model input the declaration means).
 * Keras models, ONNX models (options or the `bnnc.input_scale` /
 * `bnnc.input_zero_point` metadata) and .bnn.json files (options; a converted
 * file already holds the layer) share it.
 */
import { BnncError } from '../errors.ts';
import type { AffineLayer, InputDType, Model } from '../ir/types.ts';

/** Name of the IR layer holding the declared input mapping. */
export const INPUT_MAPPING_LAYER = 'declared input mapping';

export interface DeclaredInputMapping {
  /** S of model input = S * (v - Z). */
  scale?: number;
  /** Z of model input = S * (v - Z); any real number. */
  zeroPoint?: number;
}

export function hasInputMapping(mapping: DeclaredInputMapping): boolean {
  return mapping.scale !== undefined || mapping.zeroPoint !== undefined;
}

/** Where the mapping came from, for the layer's `sources` (what `inspect` shows). */
export function inputMappingLayer(mapping: DeclaredInputMapping, features: number, source: string): AffineLayer[] {
  if (!hasInputMapping(mapping)) return [];
  return [{
    kind: 'affine', name: INPUT_MAPPING_LAYER, sources: [source], features,
    steps: [{ op: 'sub', value: Float32Array.of(mapping.zeroPoint ?? 0) }, { op: 'mul', value: Float32Array.of(mapping.scale ?? 1) }],
  }];
}

/** The mapping layer of an imported model, if it declares one (always the first layer). */
export function findInputMapping(layers: Model['layers']): AffineLayer | undefined {
  const first = layers[0];
  return first?.kind === 'affine' && first.name === INPUT_MAPPING_LAYER ? first : undefined;
}

/**
 * The device value -> model input the mapping means, in float32 as the passes
 * fold it: f32(f32(f32(v) - Z) * S). Without a mapping, f32(v).
 */
export function mapDeviceInput(layers: Model['layers']): (v: number) => number {
  const layer = findInputMapping(layers);
  if (!layer) return Math.fround;
  const [sub, mul] = layer.steps;
  return (v) => Math.fround(Math.fround(Math.fround(v) - sub.value[0]) * mul.value[0]);
}

/** A declared mapping means integer device values: uint8 unless the user says otherwise. */
export function mappedInputType(mapping: DeclaredInputMapping, declared: InputDType | undefined, where: string, file: string): InputDType | undefined {
  if (!hasInputMapping(mapping)) return declared;
  if (mapping.scale === 0) {
    throw new BnncError('an input scale of 0 maps every device value to one model input', {
      file, where, expected: 'a non-zero input scale S (model input = S * (v - Z))',
    });
  }
  return declared ?? 'uint8';
}
