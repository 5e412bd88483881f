/** dense_b1_scores: the IR of the last dense layer on binary input (passes/foldScores.ts creates it). */
import type { Origin, ScoreTransform } from '../../ir/types.ts';

export const KIND = 'dense_b1_scores';

/** Last layer on binary input: integer scores (dot products, or fixed-point logits). */
export interface DenseB1ScoresLayer extends Origin {
  kind: typeof KIND;
  inFeatures: number;
  /** Channels per pixel of the packed input (inFeatures for a flat vector; C after a conv). */
  inGroup: number;
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

export function denseB1ScoresLayer(fields: Omit<DenseB1ScoresLayer, 'kind'>): DenseB1ScoresLayer {
  return { kind: KIND, ...fields };
}
