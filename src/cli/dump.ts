/** Human-readable dump of a model at any stage (for --dump-after). */
import type { FloatLayer, Layer, Model, PoolWindow } from '../ir/types.ts';
import { preview } from '../ops/common/preview.ts';
import { isLowered, opFor } from '../ops/registry.ts';

const poolText = (layer: PoolWindow) => `${layer.inShape.join('x')} -> ${layer.outShape.join('x')} window ${layer.kernel.join('x')} stride ${layer.stride.join('x')}`;

/** One line per float layer kind; the lowered ones describe themselves (src/ops/<kind>/index.ts). */
const FLOAT_DESCRIPTIONS: { [K in FloatLayer['kind']]: (layer: Extract<FloatLayer, { kind: K }>) => string } = {
  affine: (layer) => `features=${layer.features} steps=${layer.steps.map((s) => `${s.op} ${preview(s.value, 3)}`).join(' -> ')}`,
  sign: (layer) => `features=${layer.features} sign(0)=${layer.atZero === 'plus' ? '+1' : '0'}`,
  clip: (layer) => `features=${layer.features} [${layer.min}, ${layer.max}]`,
  dense: (layer) => `${layer.inFeatures} -> ${layer.outFeatures} weight=${preview(layer.weight)} bias=${layer.bias ? preview(layer.bias) : 'none'}`,
  argmax: (layer) => `features=${layer.features}`,
  conv2d: (layer) => `${layer.inShape.join('x')} -> ${layer.outShape.join('x')} kernel ${layer.kernel.join('x')} stride ${layer.stride.join('x')} pads [${layer.pads}] ${layer.padding} weight=${preview(layer.weight)}`,
  maxpool: poolText,
  avgpool: poolText,
};

function describe(layer: Layer): string {
  if (isLowered(layer)) return opFor(layer).describe(layer);
  return (FLOAT_DESCRIPTIONS[layer.kind] as (l: FloatLayer) => string)(layer);
}

export function dumpModel(model: Model): string {
  const lines = [`model ${model.name} (input ${model.input.dtype} x ${model.input.features})`];
  model.layers.forEach((l, i) => lines.push(`  ${String(i).padStart(2)} ${l.kind.padEnd(16)} ${l.name}: ${describe(l)}`));
  if (model.memory) lines.push(`  arena ${model.memory.arenaBytes} bytes (lower bound ${model.memory.lowerBoundBytes})`);
  return lines.join('\n');
}
