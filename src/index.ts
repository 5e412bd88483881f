/**
 * bnnc as a library (`import { loadBnnModel } from 'bnnc'`): load a model,
 * inspect it, emulate inputs bit-exactly, generate C for a target, verify.
 * Everything else under src/ is internal and may change between versions.
 */
export {
  BnnModel, BUNDLED_EXAMPLE, loadBnnModel, loadData, PASS_NAMES,
  type DataOptions, type GenerateOptions, type GenerateResult, type ModelOptions, type ModelSummary, type Prediction, type VerifyOptions,
} from './api.ts';
export { BnncError } from './errors.ts';
export { VERSION } from './version.ts';
export type { LabelColumn } from './data/csv.ts';
export type { Dataset } from './data/index.ts';
export type { LayerSummary } from './inspect/summary.ts';
export type { InputDType, InputSpec, LoweredModel, Model } from './ir/types.ts';
export type { PackageFormat } from './package/index.ts';
export type { ReferenceChoice, ReferenceEngine } from './reference/index.ts';
export type { ReferenceStats } from './verify/compareReference.ts';
export type { Progress } from './verify/progress.ts';
export type { BitExactCount, VerifyReport } from './verify/verify.ts';
