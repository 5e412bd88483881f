/** Reads a model in any supported format into the float IR. */
import { BnncError } from '../errors.ts';
import { readInputFile } from '../files/read.ts';
import type { InputDType, Model } from '../ir/types.ts';
import { importKeras, isKerasPath } from './keras/import.ts';
import { readNativeModel } from './native.ts';
import { importOnnx } from './onnx/import.ts';

export interface LoadModelOptions {
  /** Device input type, overriding what the model declares. */
  inputType?: InputDType;
  /** Declared input mapping, model input = inputScale * (device value - inputZeroPoint); Keras models only. */
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
  if (options.inputScale !== undefined || options.inputZeroPoint !== undefined) {
    throw new BnncError('--input-scale/--input-zero-point apply to Keras models', {
      file: path, expected: 'a .h5 or .keras model', hint: 'an ONNX graph carries its input scaling as nodes (e.g. Div 255)',
    });
  }
  const native = path.endsWith('.bnn.json') || path.endsWith('.json');
  if (!native && !path.toLowerCase().endsWith('.onnx')) {
    readModelFile(path); // a missing file or a folder says so rather than "unknown format"
    throw new BnncError('unknown model format', { file: path, expected: MODEL_FORMATS });
  }
  const bytes = readModelFile(path);
  if (native) {
    const model = readNativeModel(path, bytes);
    return options.inputType ? { ...model, input: { ...model.input, dtype: options.inputType } } : model;
  }
  return importOnnx(path, { inputType: options.inputType }, bytes);
}
