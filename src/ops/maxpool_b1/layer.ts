/** maxpool_b1: the IR of a max-pool after a sign (passes/foldThresholds.ts lowers it). */
import type { PoolWindow } from '../../ir/types.ts';

export const KIND = 'maxpool_b1';

/** Max-pool of binary activations: max of +/-1 is +1, so the output bit is the AND of the window's bits. */
export interface MaxPoolB1Layer extends PoolWindow {
  kind: typeof KIND;
}

export function maxpoolB1Layer(fields: Omit<MaxPoolB1Layer, 'kind'>): MaxPoolB1Layer {
  return { kind: KIND, ...fields };
}
