/** dense_int_scores: the IR of a single-layer model on uint8/int8 input (passes/foldScores.ts creates it). */
import type { Origin, ScoreTransform } from '../../ir/types.ts';

export const KIND = 'dense_int_scores';

/** Last layer on integer input (a single-layer model): scores from the add/subtract sum. */
export interface DenseIntScoresLayer extends Origin {
  kind: typeof KIND;
  inputDType: 'uint8' | 'int8';
  inFeatures: number;
  outFeatures: number;
  weights: Uint32Array;
  transform: ScoreTransform | null;
  /**
   * Reference logit units: two classes whose float logits differ by at most this
   * may be ordered differently by the integer scores (fixed-point rounding plus
   * the reference's own float32 rounding; see passes/foldScores.ts). Absent: 0.
   */
  logitBound?: number;
}

export function denseIntScoresLayer(fields: Omit<DenseIntScoresLayer, 'kind'>): DenseIntScoresLayer {
  return { kind: KIND, ...fields };
}
