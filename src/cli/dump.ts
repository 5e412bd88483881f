/** Human-readable dump of a model at any stage (for --dump-after). */
import type { Layer, Model } from '../ir/types.ts';

function preview(values: ArrayLike<number>, n = 6): string {
  const head = Array.from({ length: Math.min(n, values.length) }, (_, i) => values[i]);
  return `[${head.map((v) => (Number.isInteger(v) ? v : Number(v.toPrecision(6)))).join(', ')}${values.length > n ? `, ... (${values.length})` : ''}]`;
}

function describe(layer: Layer): string {
  switch (layer.kind) {
    case 'affine': return `features=${layer.features} steps=${layer.steps.map((s) => `${s.op} ${preview(s.value, 3)}`).join(' -> ')}`;
    case 'sign': return `features=${layer.features} sign(0)=${layer.atZero === 'plus' ? '+1' : '0'}`;
    case 'clip': return `features=${layer.features} [${layer.min}, ${layer.max}]`;
    case 'dense': return `${layer.inFeatures} -> ${layer.outFeatures} weight=${preview(layer.weight)} bias=${layer.bias ? preview(layer.bias) : 'none'}`;
    case 'argmax': return `features=${layer.features}`;
    case 'binarize_input': return `features=${layer.features} threshold=${preview(layer.threshold)} flip=${preview(layer.flip)}`;
    case 'dense_int_b1':
    case 'dense_b1':
      return `${layer.inFeatures} -> ${layer.outFeatures} threshold=${preview(layer.threshold)} flip=${preview(layer.flip)} weights=${layer.weights.length} words`;
    case 'conv2d': return `${layer.inShape.join('x')} -> ${layer.outShape.join('x')} kernel ${layer.kernel.join('x')} stride ${layer.stride.join('x')} pads [${layer.pads}] ${layer.padding} weight=${preview(layer.weight)}`;
    case 'maxpool':
    case 'avgpool':
    case 'maxpool_b1': return `${layer.inShape.join('x')} -> ${layer.outShape.join('x')} window ${layer.kernel.join('x')} stride ${layer.stride.join('x')}`;
    case 'conv2d_b1':
    case 'conv2d_int_b1':
      return `${layer.inShape.join('x')} -> ${layer.outShape.join('x')} kernel ${layer.kernel.join('x')} ${layer.poolMode}-pool ${layer.pool.join('x')} ${layer.padding} threshold=${preview(layer.threshold)} flip=${preview(layer.flip)}`;
    case 'dense_b1_scores':
    case 'dense_int_scores':
      return `${layer.inFeatures} -> ${layer.outFeatures} weights=${layer.weights.length} words `
        + (layer.transform ? `mult=${preview(layer.transform.mult)} bias=${preview(layer.transform.bias)} Q${layer.transform.fracBits}` : 'scores=dot');
  }
}

export function dumpModel(model: Model): string {
  const lines = [`model ${model.name} (input ${model.input.dtype} x ${model.input.features})`];
  model.layers.forEach((l, i) => lines.push(`  ${String(i).padStart(2)} ${l.kind.padEnd(16)} ${l.name}: ${describe(l)}`));
  if (model.memory) lines.push(`  arena ${model.memory.arenaBytes} bytes (lower bound ${model.memory.lowerBoundBytes})`);
  return lines.join('\n');
}
