/**
 * The one definition of bnn_conv2d_params_t (bnn_kernels.h): field order, C
 * type, the value taken from a layer's geometry and its range. codegen emits
 * the initialiser from it, inspect its size, checkKernelLimits its ranges, and
 * test/ops/convParams.test.ts checks the C struct in the generated
 * bnn_kernels.h against it field by field.
 */
import { int32Literal } from '../../codegen/literals.ts';
import type { ConvGeometry } from '../../ir/types.ts';
import type { Limit } from '../types.ts';

type FieldCType = 'int16_t' | 'int8_t';

interface ConvParamField {
  /** C field name. */
  name: string;
  ctype: FieldCType;
  /** What the field holds, for limit messages. */
  what: string;
  /** The C initialiser of the field for this geometry. */
  literal(g: ConvGeometry): string;
  /** Numeric value and smallest accepted value, for fields with a range; absent for enum fields. */
  range?: { value(g: ConvGeometry): number; min: number; hint: string };
}

const C_TYPE_BYTES: Record<FieldCType, number> = { int16_t: 2, int8_t: 1 };
const C_TYPE_MAX: Record<FieldCType, number> = { int16_t: 32767, int8_t: 127 };

const PADDING_ENUM = { zero: 'BNN_PAD_ZERO', plus: 'BNN_PAD_PLUS', minus: 'BNN_PAD_MINUS' } as const;

const SIZE_HINT = 'downscale the input or use fewer channels';
const WINDOW_HINT = 'use a smaller window (e.g. a stack of small convolutions or pools)';

function numeric(name: string, ctype: FieldCType, what: string, value: (g: ConvGeometry) => number, min: number, hint: string): ConvParamField {
  return { name, ctype, what, literal: (g) => int32Literal(value(g)), range: { value, min, hint } };
}

const size = (name: string, what: string, value: (g: ConvGeometry) => number) => numeric(name, 'int16_t', what, value, 1, SIZE_HINT);
const small = (name: string, what: string, value: (g: ConvGeometry) => number, min: number) => numeric(name, 'int8_t', what, value, min, WINDOW_HINT);

export const CONV_PARAM_FIELDS: readonly ConvParamField[] = [
  size('in_h', 'input height', (g) => g.inShape[0]),
  size('in_w', 'input width', (g) => g.inShape[1]),
  size('in_c', 'input channels', (g) => g.inShape[2]),
  size('out_h', 'output height', (g) => g.outShape[0]),
  size('out_w', 'output width', (g) => g.outShape[1]),
  size('out_c', 'output channels', (g) => g.outShape[2]),
  small('k_h', 'kernel height', (g) => g.kernel[0], 1),
  small('k_w', 'kernel width', (g) => g.kernel[1], 1),
  small('stride_h', 'stride height', (g) => g.stride[0], 1),
  small('stride_w', 'stride width', (g) => g.stride[1], 1),
  small('pad_top', 'top padding', (g) => g.pads[0], 0),
  small('pad_left', 'left padding', (g) => g.pads[1], 0),
  small('pool_h', 'pool height', (g) => g.pool[0], 1),
  small('pool_w', 'pool width', (g) => g.pool[1], 1),
  { name: 'padding', ctype: 'int8_t', what: 'padding (bnn_padding_t)', literal: (g) => PADDING_ENUM[g.padding] },
  { name: 'pool_sum', ctype: 'int8_t', what: 'pool mode (0 max, 1 sum)', literal: (g) => (g.poolMode === 'sum' ? '1' : '0') },
  small('pool_stride_h', 'pool stride height', (g) => g.poolStride[0], 1),
  small('pool_stride_w', 'pool stride width', (g) => g.poolStride[1], 1),
  small('pool_pad_top', 'pool top padding', (g) => g.poolPads[0], 0),
  small('pool_pad_left', 'pool left padding', (g) => g.poolPads[1], 0),
  size('conv_h', 'convolution output height (before the pool)', (g) => g.convShape[0]),
  size('conv_w', 'convolution output width (before the pool)', (g) => g.convShape[1]),
];

/** sizeof(bnn_conv2d_params_t): each field at a multiple of its size, the whole a multiple of the largest. */
export const CONV_PARAMS_BYTES = ((): number => {
  let offset = 0;
  let align = 1;
  for (const f of CONV_PARAM_FIELDS) {
    const bytes = C_TYPE_BYTES[f.ctype];
    offset = Math.ceil(offset / bytes) * bytes + bytes;
    align = Math.max(align, bytes);
  }
  return Math.ceil(offset / align) * align;
})();

/** Initialiser of a bnn_conv2d_params_t, in the struct's field order. */
export function convParamsInitializer(g: ConvGeometry): string {
  return CONV_PARAM_FIELDS.map((f) => f.literal(g)).join(', ');
}

/** The range of every numeric field, as the C type allows. */
export function convParamLimits(g: ConvGeometry): Limit[] {
  return CONV_PARAM_FIELDS.flatMap((f) => (f.range
    ? [{ what: `${f.what} (${f.ctype} in bnn_conv2d_params_t)`, value: f.range.value(g), min: f.range.min, max: C_TYPE_MAX[f.ctype], hint: f.range.hint }]
    : []));
}
