/** Shared by the pooling layer files: window, strides, and "same" only where it adds no padding. */
import { checkShape, channelsLast, fail, pair, paddingMode, spatialInput } from './common.ts';
import type { ParseContext, PoolSpec } from './types.ts';

export function parsePool(ctx: ParseContext, kind: 'maxpool' | 'avgpool'): PoolSpec {
  channelsLast(ctx);
  const [h, w, c] = spatialInput(ctx);
  const pool = pair(ctx, 'pool_size', [2, 2]);
  const strides = pair(ctx, 'strides', pool);
  const padding = paddingMode(ctx);
  const size = (n: number, k: number, s: number) => {
    if (padding === 'same') {
      const out = Math.ceil(n / s);
      if ((out - 1) * s + k !== n) fail(ctx, `padding "same" pads this ${n}-wide input`, 'padding "valid", or "same" where the windows tile the input exactly');
      return out;
    }
    if (n < k) fail(ctx, `window ${k} is larger than its input (${n})`, 'a window that fits the input');
    return Math.floor((n - k) / s) + 1;
  };
  const outShape = checkShape(ctx, [size(h, pool[0], strides[0]), size(w, pool[1], strides[1]), c], 'output');
  return { kind, name: ctx.layer.name, className: ctx.layer.className, inShape: [h, w, c], outShape, pool, strides };
}

export function poolToIr(spec: PoolSpec) {
  const [h, w, c] = spec.inShape;
  const out = spec.outShape.length === 3 ? spec.outShape : [1, 1, spec.outShape[0]];
  return [{
    kind: spec.kind, name: spec.name, sources: [spec.name], inShape: [h, w, c] as [number, number, number],
    outShape: [out[0], out[1], out[2]] as [number, number, number], kernel: spec.pool, stride: spec.strides,
  }];
}
