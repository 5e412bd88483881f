/**
 * keras.layers.Reshape: only the reshapes that keep bnnc's layout: to a flat
 * vector (a Flatten), or to the same shape. Values keep their order either way.
 */
import { count, fail, inShape } from './common.ts';
import type { LayerHandler, ReshapeSpec } from './types.ts';

export const reshapeHandler: LayerHandler = {
  className: 'Reshape',
  parse(ctx): ReshapeSpec {
    const s = inShape(ctx);
    const raw = ctx.layer.config.target_shape;
    const n = count(s);
    const target = Array.isArray(raw) ? raw.map((d) => (d === -1 ? n / Math.max(1, count(raw.filter((x) => x !== -1) as number[])) : d)) : null;
    const flat = target !== null && target.length === 1 && target[0] === n;
    const same = target !== null && target.length === s.length && target.every((d, i) => d === s[i]);
    if (!flat && !same) {
      fail(ctx, `reshape [${s.join(', ')}] -> ${JSON.stringify(raw)}`, `a reshape to [${n}] (a flatten) or to the same shape`, 'use Flatten before dense layers');
    }
    return { kind: 'reshape', name: ctx.layer.name, className: ctx.layer.className, inShape: s, outShape: flat ? [n] : s };
  },
  toIr: () => [],
};
