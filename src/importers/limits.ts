/**
 * Bounds on every size a model file states, checked by the importers before
 * the size is used to allocate, loop or generate C. Model files are untrusted
 * input: a dimension of -1 or 1e12, a stride of 0 or a kernel of 1e9 must
 * become a clear error naming the node or layer, never an "Invalid typed array
 * length", a hang or C that overflows a parameter field.
 */

/**
 * Elements of one tensor (weights, constants, activations). 16 Mi float64
 * values are 128 MiB; a binary network for a microcontroller has far fewer.
 */
export const MAX_TENSOR_ELEMENTS = 1 << 24;

/** Rank of any tensor: ONNX models of binary networks use at most 4 axes. */
export const MAX_RANK = 8;

/** Multiply-accumulates one constant fold may spend (a Conv or MatMul on constants at import). */
export const MAX_FOLD_WORK = 1 << 28;

/**
 * Widths of the fields of `bnn_conv2d_params_t` (templates/c/bnn_kernels.h.hbs):
 * sizes are int16_t, kernel, stride, padding and pool window int8_t.
 */
export const C_CONV_SIZE_MAX = 32767;
export const C_CONV_WINDOW_MAX = 127;

/** Thrown by the tensor helpers when a result would exceed the limits; importers add the node. */
export class SizeLimitError extends Error {}

/** Why `dims` are not a usable tensor shape, or null when they are (each dim a whole number >= 0, bounded count). */
export function dimsProblem(dims: readonly number[], allowEmpty = true): string | null {
  if (dims.length > MAX_RANK) return `rank ${dims.length} exceeds ${MAX_RANK} axes`;
  const bad = dims.findIndex((d) => !Number.isSafeInteger(d) || d < (allowEmpty ? 0 : 1));
  if (bad >= 0) return `dimension ${bad} is ${dims[bad]}, not a whole number >= ${allowEmpty ? 0 : 1}`;
  // Check the running product step by step so that an overflow to Infinity never hides a huge size.
  let count = 1;
  for (const d of dims) {
    count *= d;
    if (count > MAX_TENSOR_ELEMENTS) return `shape [${dims}] holds more than ${MAX_TENSOR_ELEMENTS} elements (the limit)`;
  }
  return null;
}

/** Throws SizeLimitError when `count` elements would exceed the per-tensor limit. */
export function requireElementCount(count: number): void {
  if (!(Number.isSafeInteger(count) && count >= 0 && count <= MAX_TENSOR_ELEMENTS)) {
    throw new SizeLimitError(`the result would hold ${count} elements, more than the limit of ${MAX_TENSOR_ELEMENTS}`);
  }
}

/** Throws SizeLimitError when a fold would spend more than MAX_FOLD_WORK multiply-accumulates. */
export function requireFoldWork(work: number): void {
  if (!(work <= MAX_FOLD_WORK)) throw new SizeLimitError(`folding it would take ${work} multiply-accumulates, more than the limit of ${MAX_FOLD_WORK}`);
}

/** A 2-D window: convolution or pooling, in the IR's terms. */
export interface WindowGeometry {
  inShape: readonly number[];
  outShape: readonly number[];
  kernel: readonly number[];
  stride: readonly number[];
  /** [top, left, bottom, right]; pooling has none. */
  pads?: readonly number[];
  /** tap spacing per axis (a dilated convolution); absent = 1 */
  dilation?: readonly number[];
}

/**
 * Why a window's geometry is inconsistent or beyond the C parameter widths,
 * or null when it is usable. The output size must be exactly what the kernel,
 * stride and padding give for the input size.
 */
export function windowProblem(g: WindowGeometry): string | null {
  const pads = g.pads ?? [0, 0, 0, 0];
  const sizes: [string, readonly number[], number][] = [
    ['inShape', g.inShape, C_CONV_SIZE_MAX], ['outShape', g.outShape, C_CONV_SIZE_MAX],
  ];
  for (const [what, values, max] of sizes) {
    const bad = values.findIndex((v) => !Number.isSafeInteger(v) || v < 1 || v > max);
    if (bad >= 0) return `${what}[${bad}] = ${values[bad]} is outside 1..${max} (an int16_t field of the C kernel parameters)`;
  }
  const windows: [string, readonly number[], number][] = [['kernel', g.kernel, 1], ['stride', g.stride, 1], ['pads', pads, 0]];
  for (const [what, values, min] of windows) {
    const bad = values.findIndex((v) => !Number.isSafeInteger(v) || v < min || v > C_CONV_WINDOW_MAX);
    if (bad >= 0) return `${what}[${bad}] = ${values[bad]} is outside ${min}..${C_CONV_WINDOW_MAX} (an int8_t field of the C kernel parameters)`;
  }
  const dilation = g.dilation ?? [1, 1];
  const badDilation = dilation.findIndex((d) => !Number.isSafeInteger(d) || d < 1 || d > C_CONV_WINDOW_MAX);
  if (badDilation >= 0) return `dilation[${badDilation}] = ${dilation[badDilation]} is outside 1..${C_CONV_WINDOW_MAX}`;
  for (let axis = 0; axis < 2; axis++) {
    const padded = g.inShape[axis] + pads[axis] + pads[axis + 2];
    const span = dilation[axis] * (g.kernel[axis] - 1) + 1;
    if (span > padded) return `a ${g.kernel.join('x')} window does not fit the padded ${g.inShape[0]}x${g.inShape[1]} input`;
    const out = Math.floor((padded - span) / g.stride[axis]) + 1;
    if (out !== g.outShape[axis]) {
      return `outShape [${g.outShape}] does not follow from inShape [${g.inShape}], kernel [${g.kernel}], stride [${g.stride}] and pads [${pads}] (output ${axis === 0 ? 'height' : 'width'} ${out})`;
    }
  }
  return null;
}
