/** Reads a model in any supported format into the float IR. */
import { existsSync, statSync } from 'node:fs';
import { BnncError } from '../errors.ts';
import type { InputDType, Model } from '../ir/types.ts';
import { readNativeModel } from './native.ts';
import { importOnnx } from './onnx/import.ts';

export interface LoadModelOptions {
  /** Device input type, overriding what the model declares. */
  inputType?: InputDType;
}

export const MODEL_FORMATS = '.onnx (PyTorch export, QONNX, FINN-ONNX) or .bnn.json (bnnc convert)';

export function loadModel(path: string, options: LoadModelOptions = {}): Model {
  if (!existsSync(path)) throw new BnncError('no such file', { file: path, expected: `a model file: ${MODEL_FORMATS}` });
  if (statSync(path).isDirectory()) throw new BnncError('is a directory', { file: path, expected: `a model file: ${MODEL_FORMATS}` });
  if (path.endsWith('.bnn.json') || path.endsWith('.json')) {
    const model = readNativeModel(path);
    return options.inputType ? { ...model, input: { ...model.input, dtype: options.inputType } } : model;
  }
  if (path.toLowerCase().endsWith('.onnx')) return importOnnx(path, { inputType: options.inputType });
  throw new BnncError('unknown model format', { file: path, expected: MODEL_FORMATS });
}
