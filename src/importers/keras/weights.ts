/**
 * Where Keras stores a layer's variables.
 *  - `.h5` (Keras 2 `save_model_to_hdf5`, also Keras 3's legacy .h5 writer):
 *    group `model_weights/<layer name>` with attribute `weight_names`
 *    (e.g. "quant_dense/kernel:0"); each name is a dataset path below the group.
 *  - `.keras` (Keras 3 `saving_lib`): `model.weights.h5` holds
 *    `layers/<snake_case(class name)>[_<n>]/vars/<i>`, i in the order the layer
 *    created its variables; the counter n is per class name over `model.layers`
 *    (layer names are not used, see `_save_container_state`).
 * Variables are looked up by name in .h5 and by position in .keras; the count
 * must match what the layer config implies in both.
 */
import { BnncError } from '../../errors.ts';
import type { KerasLayerConfig } from './config.ts';
import type { H5File } from './hdf5.ts';

export interface WeightRequest {
  /** Keras variable name: kernel, bias, gamma, beta, moving_mean, moving_variance. */
  name: string;
  shape: number[];
}

export interface WeightStore {
  read(layer: KerasLayerConfig, wanted: WeightRequest[], where: string): Float32Array[];
}

const describe = (wanted: WeightRequest[]) => wanted.map((w) => `${w.name} [${w.shape.join(', ')}]`).join(', ') || 'none';

/** Keras' naming.to_snake_case. */
export function toSnakeCase(className: string): string {
  return className.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

export class LegacyH5Weights implements WeightStore {
  constructor(private readonly h5: H5File) {}

  read(layer: KerasLayerConfig, wanted: WeightRequest[], where: string): Float32Array[] {
    const group = `model_weights/${layer.name}`;
    const names = this.h5.stringListAttribute(group, 'weight_names') ?? [];
    if (names.length !== wanted.length) {
      throw new BnncError(`stores ${names.length} weight(s) (${names.join(', ') || 'none'})`, {
        file: this.h5.source.file, where, expected: `${wanted.length}: ${describe(wanted)} (from the layer config)`,
        hint: 'the weights do not belong to this config: save the model again with model.save("m.h5")',
      });
    }
    return wanted.map((w) => {
      const stored = names.find((n) => n.split('/').pop()!.replace(/:\d+$/, '') === w.name);
      if (stored === undefined) {
        throw new BnncError(`missing weight "${w.name}" (stored: ${names.join(', ')})`, { file: this.h5.source.file, where, expected: describe(wanted) });
      }
      return this.h5.floatDataset(`${group}/${stored}`, w.shape, `${where}: ${w.name}`);
    });
  }
}

export class KerasV3Weights implements WeightStore {
  private readonly paths: Map<KerasLayerConfig, string>;

  /** `savedOrder`: the layers in the order of the config's layer list (model.layers). */
  constructor(private readonly h5: H5File, savedOrder: KerasLayerConfig[]) {
    const used = new Map<string, number>();
    this.paths = new Map(savedOrder.map((layer) => {
      const base = toSnakeCase(layer.className);
      const n = used.get(base);
      used.set(base, n === undefined ? 0 : n + 1);
      return [layer, `layers/${n === undefined ? base : `${base}_${n + 1}`}`];
    }));
  }

  read(layer: KerasLayerConfig, wanted: WeightRequest[], where: string): Float32Array[] {
    const vars = `${this.paths.get(layer)}/vars`;
    const stored = this.h5.keys(vars);
    if (stored.length !== wanted.length || !stored.every((k) => /^\d+$/.test(k) && Number(k) < wanted.length)) {
      throw new BnncError(`stores ${stored.length} variable(s) under "${vars}"`, {
        file: this.h5.source.file, where, expected: `${wanted.length}: ${describe(wanted)} (from the layer config)`,
        hint: 'the weights file does not belong to this config: save the model again with model.save("m.keras")',
      });
    }
    return wanted.map((w, i) => this.h5.floatDataset(`${vars}/${i}`, w.shape, `${where}: ${w.name}`));
  }
}
