/** A pass is a named, pure Model -> Model function; src/passes/index.ts lists them in order. */
import { BnncError } from '../errors.ts';
import type { Layer, Model } from '../ir/types.ts';

export interface Pass {
  name: string;
  /** One line for `bnnc passes` and the docs. */
  description: string;
  run(model: Model): Model;
}

export function layerError(model: Model, layer: Layer, message: string, expected?: string, hint?: string): BnncError {
  const sources = layer.sources.length > 0 && layer.sources[0] !== layer.name ? ` (from ${layer.sources.join(', ')})` : '';
  return new BnncError(message, { file: model.sourcePath, where: `layer "${layer.name}"${sources}`, expected, hint });
}
