/** Reads a model in any supported format into the float IR. */
import { existsSync, statSync } from 'node:fs';
import { BnncError } from '../errors.ts';
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

export function loadModel(path: string, options: LoadModelOptions = {}): Model {
  if (!existsSync(path)) throw new BnncError('no such file', { file: path, expected: `a model file: ${MODEL_FORMATS}` });
  if (statSync(path).isDirectory()) throw new BnncError('is a directory', { file: path, expected: `a model file: ${MODEL_FORMATS}` });
  if (isKerasPath(path)) return importKeras(path, options);
  if (options.inputScale !== undefined || options.inputZeroPoint !== undefined) {
    throw new BnncError('--input-scale/--input-zero-point apply to Keras models', {
      file: path, expected: 'a .h5 or .keras model', hint: 'an ONNX graph carries its input scaling as nodes (e.g. Div 255)',
    });
  }
  if (path.endsWith('.bnn.json') || path.endsWith('.json')) {
    const model = readNativeModel(path);
    return options.inputType ? { ...model, input: { ...model.input, dtype: options.inputType } } : model;
  }
  if (path.toLowerCase().endsWith('.onnx')) return importOnnx(path, { inputType: options.inputType });
  throw new BnncError('unknown model format', { file: path, expected: MODEL_FORMATS });
}
