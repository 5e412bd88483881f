/**
 * Keras importer for Larq models (`.h5`, `.keras`): reads the config and the
 * weights, parses each layer with its handler in ./layers/ (config checked,
 * weights read with the shapes the config implies), then translates the
 * parsed layers into the float IR. Activations are channels-last on both
 * sides, so nothing is permuted. The importer only translates; folding is the
 * passes' work.
 */
import { createHash } from 'node:crypto';
import { readInputFile } from '../../files/read.ts';
import { basename } from 'node:path';
import { BnncError } from '../../errors.ts';
import { hasInputMapping, inputMappingLayer, mappedInputType } from '../inputMapping.ts';
import type { FloatLayer, InputDType, InputSpec, Model } from '../../ir/types.ts';
import { openH5Model, openKerasArchive, type KerasContainer } from './archive.ts';
import { parseJson, parseModelConfig, type KerasModelConfig } from './config.ts';
import { declaredInputShape } from './layers/inputLayer.ts';
import { findLayerHandler, SUPPORTED_LAYERS } from './layers/index.ts';
import type { LayerSpec, ParseContext } from './layers/types.ts';
import { KerasV3Weights, LegacyH5Weights } from './weights.ts';

export interface KerasImportOptions {
  /** Device input type; overrides the InputLayer dtype. */
  inputType?: InputDType;
  /** Declared input mapping (TFLite's convention): model input = scale * (device value - zeroPoint). */
  inputScale?: number;
  inputZeroPoint?: number;
}

/** A parsed Keras model: what both the IR translation and the Larq reference start from. */
export interface KerasModel {
  file: string;
  format: 'keras-h5' | 'keras';
  kerasVersion: string | null;
  name: string;
  /** Keras input shape without the batch axis (channels last). */
  inputShape: number[];
  /** The InputLayer's dtype, when the config has one. */
  inputDType: string | null;
  layers: LayerSpec[];
  sha256: string;
}

export { INPUT_MAPPING_LAYER } from '../inputMapping.ts';

export function isKerasPath(path: string): boolean {
  const p = path.toLowerCase();
  return p.endsWith('.h5') || p.endsWith('.hdf5') || p.endsWith('.keras');
}

/** A regular file of at most BNNC_MAX_MODEL_MB, like every model file (src/files/read.ts). */
function readModelBytes(path: string): Uint8Array {
  return readInputFile(path, 'model', 'a Keras model: .h5 (Keras 2 HDF5) or .keras (Keras 3 zip)');
}

function checkSupported(config: KerasModelConfig, file: string): void {
  const unknown = config.layers.filter((l) => !findLayerHandler(l.className));
  if (unknown.length === 0) return;
  const lines = unknown.map((l) => `  - "${l.name}": ${l.className}`);
  throw new BnncError(`${unknown.length} unsupported layer(s):\n${lines.join('\n')}`, {
    file, expected: `layers of a binary network: ${SUPPORTED_LAYERS}`, hint: 'see docs/larq.md for the supported layers and quantizers',
  });
}

/** Keras' default model names say nothing; the file name does. */
function modelName(configName: string, path: string): string {
  if (!/^(sequential|model|functional)(_\d+)?$/.test(configName)) return configName;
  return basename(path).replace(/\.(h5|hdf5|keras)$/i, '');
}

export function readKerasModel(path: string, bytes: Uint8Array = readModelBytes(path)): KerasModel {
  const container: KerasContainer = path.toLowerCase().endsWith('.keras') ? openKerasArchive(path, bytes) : openH5Model(path, bytes);
  const config = parseModelConfig(parseJson(container.configText, path, 'model config'), path);
  checkSupported(config, path);
  // A chain's order is the order of model.layers, which Keras 3's weight paths count in.
  const weights = container.format === 'keras' ? new KerasV3Weights(container.weights, config.layers) : new LegacyH5Weights(container.weights);

  let shape: number[] | null = null;
  let inputShape: number[] | null = null;
  let inputDType: string | null = null;
  const layers: LayerSpec[] = config.layers.map((layer, i) => {
    const ctx: ParseContext = {
      file: path, layer, where: `layer "${layer.name}" (${layer.className})`, inShape: shape, isLast: i === config.layers.length - 1, weights,
    };
    if (shape === null && layer.className !== 'InputLayer') ctx.inShape = declaredInputShape(ctx);
    inputShape ??= ctx.inShape;
    const spec = findLayerHandler(layer.className)!.parse(ctx);
    if (spec.kind === 'input') { inputShape = spec.outShape; inputDType = spec.dtype; }
    shape = spec.outShape;
    return spec;
  });
  refuseScaleBeforePool(layers, path);
  if (inputShape === null) throw new BnncError('the model input shape is unknown', { file: path, expected: 'an InputLayer or input_shape=(...) on the first layer' });
  return {
    file: path, format: container.format, kerasVersion: container.kerasVersion, name: modelName(config.name, path),
    inputShape, inputDType, layers, sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/**
 * A magnitude_aware_sign scale is a float step between a convolution and a pool
 * that follows it; the passes fuse a pool only straight after the convolution's
 * integer sums, so such a model is refused here, where the layers can be named.
 */
function refuseScaleBeforePool(layers: LayerSpec[], file: string): void {
  layers.forEach((spec, i) => {
    const next = layers[i + 1];
    if (spec.kind !== 'conv2d' || spec.kernelQuantizer?.kind !== 'magnitude_aware_sign' || (next?.kind !== 'maxpool' && next?.kind !== 'avgpool')) return;
    throw new BnncError(`kernel_quantizer magnitude_aware_sign followed by ${next.className} "${next.name}"`, {
      file, where: `layer "${spec.name}" (${spec.className})`,
      expected: 'magnitude_aware_sign followed by BatchNormalization (its scale folds into the thresholds), or ste_sign before a pool',
      hint: 'the per-channel scale would sit between the convolution and the pool, which bnnc fuses into one integer layer',
    });
  });
}

/** uint8/int8 from the options or the InputLayer; uint8 when the model or the user scales raw values; float32 otherwise. */
function deviceInputType(keras: KerasModel, options: KerasImportOptions): InputDType {
  if (options.inputType) return mappedInputType({ scale: options.inputScale, zeroPoint: options.inputZeroPoint }, options.inputType, '--input-scale', keras.file)!;
  if (keras.inputDType === 'uint8' || keras.inputDType === 'int8') return keras.inputDType;
  const firstCompute = keras.layers.find((l) => l.kind !== 'input');
  const mapping = { scale: options.inputScale, zeroPoint: options.inputZeroPoint };
  if (hasInputMapping(mapping)) return mappedInputType(mapping, undefined, '--input-scale', keras.file)!;
  if (firstCompute?.kind === 'rescaling') return 'uint8';
  return 'float32';
}

/** The IR reads a spatial model input as [C, H, W]; Keras' is [H, W, C]. Both orders agree for one channel only. */
function irInputShape(keras: KerasModel): number[] {
  const s = keras.inputShape;
  if (s.length !== 3) return s;
  const firstSpatial = keras.layers.find((l) => l.kind === 'conv2d' || l.kind === 'maxpool' || l.kind === 'avgpool' || l.kind === 'dense');
  if (s[2] !== 1 && firstSpatial && firstSpatial.kind !== 'dense') {
    throw new BnncError(`input of ${s[2]} channels [${s.join(', ')}] read by a ${firstSpatial.className}`, {
      file: keras.file, where: `layer "${firstSpatial.name}" (${firstSpatial.className})`,
      expected: 'a single-channel image input, or a Flatten before the first layer',
      hint: 'multi-channel images of Keras models are not supported yet (those of ONNX models are, read HWC on the device)',
    });
  }
  return s[2] === 1 ? [1, s[0], s[1]] : [s.reduce((a, b) => a * b, 1)];
}

export function importKeras(path: string, options: KerasImportOptions = {}, bytes?: Uint8Array): Model {
  const keras = readKerasModel(path, bytes);
  const features = keras.inputShape.reduce((a, b) => a * b, 1);
  const mapping = { scale: options.inputScale, zeroPoint: options.inputZeroPoint };
  const layers: FloatLayer[] = [...inputMappingLayer(mapping, features, '--input-scale/--input-zero-point')];
  for (const spec of keras.layers) layers.push(...findLayerHandler(spec.className)!.toIr(spec));
  const lastDense = layers.filter((l) => l.kind === 'dense').at(-1);
  if (!lastDense) throw new BnncError('the model has no dense layer', { file: path, expected: 'a network ending with a (Quant)Dense layer that gives the class scores' });
  const input: InputSpec = { name: 'input', shape: irInputShape(keras), features, dtype: deviceInputType(keras, options) };
  return {
    name: keras.name, sourcePath: path, sourceFormat: keras.format, sourceHash: keras.sha256,
    input, classes: lastDense.outFeatures, layers, memory: null,
  };
}
