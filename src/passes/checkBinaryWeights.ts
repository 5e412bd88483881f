/** Every dense and convolution weight must be exactly +1 or -1 (after folding Sign/BipolarQuant on the weights). */
import type { Pass } from './pass.ts';
import { layerError } from './pass.ts';

export const checkBinaryWeights: Pass = {
  name: 'checkBinaryWeights',
  description: 'check that every dense and convolution weight is exactly +1 or -1',
  run(model) {
    for (const layer of model.layers) {
      if (layer.kind !== 'dense' && layer.kind !== 'conv2d') continue;
      const bad = layer.weight.findIndex((w) => w !== 1 && w !== -1);
      if (bad >= 0) {
        const rowLength = layer.kind === 'dense' ? layer.inFeatures : layer.weight.length / layer.outShape[2];
        const o = Math.floor(bad / rowLength);
        const i = bad % rowLength;
        throw layerError(model, layer, `weight [${o}, ${i}] is ${layer.weight[bad]}`, 'binary weights: exactly +1 or -1',
          layer.weight[bad] === 0
            ? 'ONNX Sign(0) = 0: binarize weights with sign(0) = +1 (torch.where(w >= 0, 1, -1)) before export'
            : 'binarize the weights in the model (Sign on the weight, or export the binarized values)');
      }
    }
    return model;
  },
};
