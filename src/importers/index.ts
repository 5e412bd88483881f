/** Reads a model in any supported format into the float IR. */
import { BnncError } from '../errors.ts';
import { readInputFile } from '../files/read.ts';
import type { InputDType, Model } from '../ir/types.ts';
import { readNativeModel } from './native.ts';
import { importOnnx } from './onnx/import.ts';

export interface LoadModelOptions {
  /** Device input type, overriding what the model declares. */
  inputType?: InputDType;
}

export const MODEL_FORMATS = '.onnx (PyTorch export, QONNX, FINN-ONNX) or .bnn.json (bnnc convert)';

/** Reads a model file: a regular file of at most BNNC_MAX_MODEL_MB (src/files/read.ts). */
export function readModelFile(path: string): Buffer {
  return readInputFile(path, 'model', `a model file: ${MODEL_FORMATS}`);
}

export function loadModel(path: string, options: LoadModelOptions = {}): Model {
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
