/** Reads a model in any supported format into the float IR. */
import { BnncError } from '../errors.ts';
import { readInputFile } from '../files/read.ts';
import type { InputDType, Model } from '../ir/types.ts';
import { findInputMapping, hasInputMapping, INPUT_MAPPING_LAYER, inputMappingLayer, mappedInputType } from './inputMapping.ts';
import { importKeras, isKerasPath } from './keras/import.ts';
import { readNativeModel } from './native.ts';
import { importOnnx } from './onnx/import.ts';

export interface LoadModelOptions {
  /** Device input type, overriding what the model declares. */
  inputType?: InputDType;
  /** Declared input quantization, model input = inputScale * (device value - inputZeroPoint) (TFLite's convention). */
  inputScale?: number;
  inputZeroPoint?: number;
}

export const MODEL_FORMATS = '.onnx (PyTorch export, QONNX, FINN-ONNX), .h5 / .keras (Larq on Keras) or .bnn.json (bnnc convert)';

/** Reads a model file: a regular file of at most BNNC_MAX_MODEL_MB (src/files/read.ts). */
export function readModelFile(path: string): Buffer {
  return readInputFile(path, 'model', `a model file: ${MODEL_FORMATS}`);
}

export function loadModel(path: string, options: LoadModelOptions = {}): Model {
  if (isKerasPath(path)) return importKeras(path, options, readModelFile(path));
  const native = path.endsWith('.bnn.json') || path.endsWith('.json');
  if (!native && !path.toLowerCase().endsWith('.onnx')) {
    readModelFile(path); // a missing file or a folder says so rather than "unknown format"
    throw new BnncError('unknown model format', { file: path, expected: MODEL_FORMATS });
  }
  const bytes = readModelFile(path);
  if (native) {
    return withDeclaredInput(readNativeModel(path, bytes), options);
  }
  return importOnnx(path, options, bytes);
}

/**
 * A .bnn.json file holds the float IR: a declared mapping given on the command
 * line becomes its first layer, as the importers record it (a converted file
 * already holding one refuses a second).
 */
function withDeclaredInput(model: Model, options: LoadModelOptions): Model {
  const mapping = { scale: options.inputScale, zeroPoint: options.inputZeroPoint };
  if (hasInputMapping(mapping) && findInputMapping(model.layers)) {
    throw new BnncError('the model already declares its input quantization', {
      file: model.sourcePath, where: `layer "${INPUT_MAPPING_LAYER}"`, expected: 'one declared input mapping',
      hint: 'drop --input-scale/--input-zero-point (the file records them), or convert the source model again',
    });
  }
  const layers = [...inputMappingLayer(mapping, model.input.features, '--input-scale/--input-zero-point'), ...model.layers];
  const dtype = mappedInputType(mapping, options.inputType, '--input-scale', model.sourcePath) ?? model.input.dtype;
  return { ...model, layers, input: { ...model.input, dtype } };
}
