/**
 * Larq quantizers as they appear in a layer config: an alias string
 * ("ste_sign"), a nested object in either form ({"class_name": "SteSign", ...}),
 * or null. Forward pass of every supported one is Larq's `math.sign`:
 * sign(x) = -1 for x < 0, +1 otherwise (so sign(0) = +1, also for a latent
 * weight of exactly 0.0). MagnitudeAwareSign multiplies the signs of a kernel
 * by the mean |w| of each output channel (Bi-Real Net).
 */
import { BnncError } from '../../errors.ts';
import { asKerasObject } from './config.ts';

export type Quantizer = { kind: 'sign'; name: string } | { kind: 'magnitude_aware_sign'; name: string };

/** Larq's names: registered alias, class name. */
const SIGN_QUANTIZERS = new Map<string, Quantizer['kind']>([
  ['ste_sign', 'sign'], ['SteSign', 'sign'],
  ['approx_sign', 'sign'], ['ApproxSign', 'sign'],
  ['swish_sign', 'sign'], ['SwishSign', 'sign'],
  ['magnitude_aware_sign', 'magnitude_aware_sign'], ['MagnitudeAwareSign', 'magnitude_aware_sign'],
]);

export const SUPPORTED_QUANTIZERS = 'ste_sign, approx_sign, swish_sign (sign with sign(0) = +1) and magnitude_aware_sign (kernels only)';

/** Why a known Larq quantizer is refused. */
const REFUSED: Record<string, string> = {
  ste_heaviside: 'SteHeaviside gives {0, 1}, not {-1, +1}',
  SteHeaviside: 'SteHeaviside gives {0, 1}, not {-1, +1}',
  ste_tern: 'SteTern is ternary {-1, 0, +1}',
  SteTern: 'SteTern is ternary {-1, 0, +1}',
  dorefa_quantizer: 'DoReFa is a multi-bit quantizer',
  DoReFa: 'DoReFa is a multi-bit quantizer',
  DoReFaQuantizer: 'DoReFa is a multi-bit quantizer',
};

export interface QuantizerPlace {
  file: string;
  where: string;
  /** Config key, e.g. "input_quantizer". */
  key: string;
}

export function parseQuantizer(value: unknown, place: QuantizerPlace): Quantizer | null {
  if (value === null || value === undefined) return null;
  const name = typeof value === 'string' ? value : asKerasObject(value)?.className;
  if (name === undefined) {
    throw new BnncError(`${place.key} is not a quantizer name or object: ${JSON.stringify(value).slice(0, 80)}`, { file: place.file, where: place.where, expected: SUPPORTED_QUANTIZERS });
  }
  if (name === 'NoOp' || name === 'NoOpQuantizer') {
    throw new BnncError(`${place.key} ${name} keeps full-precision values`, { file: place.file, where: place.where, expected: SUPPORTED_QUANTIZERS });
  }
  const kind = SIGN_QUANTIZERS.get(name);
  if (!kind) {
    const why = REFUSED[name] ? ` (${REFUSED[name]})` : '';
    throw new BnncError(`${place.key} "${name}" is not supported${why}`, {
      file: place.file, where: place.where, expected: SUPPORTED_QUANTIZERS,
      hint: 'bnnc runs networks whose activations and weights are -1/+1',
    });
  }
  if (kind === 'magnitude_aware_sign' && place.key === 'input_quantizer') {
    throw new BnncError('magnitude_aware_sign as input_quantizer: its scale would depend on the activations', { file: place.file, where: place.where, expected: `an input quantizer among ste_sign, approx_sign, swish_sign` });
  }
  return { kind, name };
}
