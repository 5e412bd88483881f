/** Consecutive affine layers become one chain of steps (same float32 operations, same order); identity steps go. */
import type { AffineLayer, Layer } from '../ir/types.ts';
import { isIdentityStep } from './affine.ts';
import type { Pass } from './pass.ts';

export const mergeAffineChains: Pass = {
  name: 'mergeAffineChains',
  description: 'merge consecutive affine layers (Mul/Add/Sub/Div, BatchNorm) into one step chain, dropping x*1, x+0',
  run(model) {
    const layers: Layer[] = [];
    for (const layer of model.layers) {
      const prev = layers.at(-1);
      if (layer.kind === 'affine' && prev?.kind === 'affine') {
        const merged: AffineLayer = {
          ...prev,
          name: `${prev.name}+${layer.name}`,
          sources: [...prev.sources, ...layer.sources],
          steps: [...prev.steps, ...layer.steps],
        };
        layers[layers.length - 1] = merged;
      } else {
        layers.push(layer);
      }
    }
    const cleaned = layers.map((l) => (l.kind === 'affine' ? { ...l, steps: l.steps.filter((s) => !isIdentityStep(s)) } : l));
    return { ...model, layers: cleaned.filter((l) => l.kind !== 'affine' || l.steps.length > 0) };
  },
};
