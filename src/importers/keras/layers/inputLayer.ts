/** keras.layers.InputLayer: the model input shape (batch_input_shape in Keras 2, batch_shape in Keras 3) and dtype. */
import { checkShape, fail } from './common.ts';
import type { InputLayerSpec, LayerHandler, ParseContext } from './types.ts';

/** The input shape a layer config declares, without the batch axis, or null. */
export function declaredInputShape(ctx: ParseContext): number[] | null {
  const c = ctx.layer.config;
  const batch = c.batch_input_shape ?? c.batch_shape;
  const raw = Array.isArray(batch) ? batch.slice(1) : Array.isArray(c.input_shape) ? c.input_shape : Array.isArray(c.shape) ? c.shape : null;
  if (raw === null) return null;
  if (!raw.every((d) => typeof d === 'number')) fail(ctx, `input shape ${JSON.stringify(raw)} has an unknown dimension`, 'a fixed input size (only the batch axis may be None)');
  return checkShape(ctx, raw as number[], 'input shape');
}

export const inputLayerHandler: LayerHandler = {
  className: 'InputLayer',
  parse(ctx): InputLayerSpec {
    const shape = declaredInputShape(ctx) ?? fail(ctx, 'InputLayer without a shape', 'batch_input_shape / batch_shape');
    const dtype = typeof ctx.layer.config.dtype === 'string' ? ctx.layer.config.dtype : 'float32';
    return { kind: 'input', name: ctx.layer.name, className: ctx.layer.className, inShape: shape, outShape: shape, dtype };
  },
  toIr: () => [],
};
