/** Clip/Hardtanh right before a sign has no effect on the sign when min < 0 < max: drop it. */
import type { Pass } from './pass.ts';
import { layerError } from './pass.ts';

export const dropClipBeforeSign: Pass = {
  name: 'dropClipBeforeSign',
  description: 'remove Clip/Hardtanh layers that feed a sign (they cannot change it)',
  run(model) {
    const layers = model.layers.filter((layer, i) => {
      if (layer.kind !== 'clip') return true;
      const next = model.layers[i + 1];
      if (next?.kind !== 'sign') {
        throw layerError(model, layer, 'a Clip that does not feed a sign', 'Clip/Hardtanh directly before Sign',
          'bnnc compiles binary networks: clipping only occurs as the straight-through estimator before a sign');
      }
      if (!(layer.min < 0 && layer.max > 0)) {
        throw layerError(model, layer, `Clip to [${layer.min}, ${layer.max}] changes the sign of some inputs`, 'min < 0 < max (e.g. Hardtanh [-1, 1])');
      }
      return false;
    });
    return { ...model, layers };
  },
};
