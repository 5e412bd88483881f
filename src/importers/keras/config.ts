/**
 * The Keras model config (`model_config` in .h5, `config.json` in .keras) as
 * bnnc reads it. Keras has written nested objects in two forms over the years:
 *   legacy (tf.keras <= 2.12):  {"class_name": "SteSign", "config": {...}}
 *   current (Keras 2.13+, 3):   {"module": "larq.quantizers", "class_name": "SteSign",
 *                                "config": {...}, "registered_name": "SteSign"}
 * and quantizers may also be plain alias strings ("ste_sign"). Both forms are
 * normalised here to {className, config}. Only Sequential models and
 * Functional models whose layers form a single chain are accepted.
 */
import { BnncError } from '../../errors.ts';

export type JsonObject = Record<string, unknown>;

export interface KerasObject {
  className: string;
  config: JsonObject;
}

export interface KerasLayerConfig extends KerasObject {
  name: string;
  /** Position in the chain, from 0 (InputLayer included when the config lists one). */
  index: number;
}

export interface KerasModelConfig {
  className: string;
  name: string;
  layers: KerasLayerConfig[];
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A nested Keras object in either serialisation form, or null if `value` is not one. */
export function asKerasObject(value: unknown): KerasObject | null {
  if (!isObject(value) || typeof value.class_name !== 'string') return null;
  const config = value.config;
  return { className: value.class_name, config: isObject(config) ? config : {} };
}

export function parseJson(text: string, file: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BnncError(`invalid JSON (${(error as Error).message})`, { file, where, expected: 'the model config Keras writes (JSON)' });
  }
}

export function parseModelConfig(json: unknown, file: string): KerasModelConfig {
  const model = asKerasObject(json);
  if (!model) throw new BnncError('the model config is not a Keras object', { file, where: 'model config', expected: '{"class_name": "Sequential" | "Functional", "config": {...}}' });
  const rawLayers = model.config.layers;
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) {
    throw new BnncError(`${model.className} config has no layer list`, { file, where: 'model config', expected: 'a "layers" list' });
  }
  const name = typeof model.config.name === 'string' ? model.config.name : 'keras_model';
  const layers = rawLayers.map((raw, i) => layerConfig(raw, i, file));
  if (model.className === 'Sequential') return { className: model.className, name, layers };
  if (model.className === 'Functional' || model.className === 'Model') return { className: model.className, name, layers: chainOrder(layers, rawLayers, model.config, file) };
  throw new BnncError(`model class "${model.className}" is not supported`, {
    file, where: 'model config', expected: 'a Sequential model, or a Functional model whose layers form one chain',
    hint: 'subclassed models cannot be read from their config: rebuild the network as tf.keras.Sequential([...])',
  });
}

function layerConfig(raw: unknown, index: number, file: string): KerasLayerConfig {
  const obj = asKerasObject(raw);
  if (!obj) throw new BnncError(`layer ${index} is not a Keras layer object`, { file, where: 'model config', expected: '{"class_name": ..., "config": {...}}' });
  const name = typeof obj.config.name === 'string' ? obj.config.name : isObject(raw) && typeof raw.name === 'string' ? raw.name : `${obj.className}_${index}`;
  return { ...obj, name, index };
}

/** Names of the layers a Functional layer reads, in both inbound_nodes forms. */
function inboundNames(raw: unknown): string[] {
  if (!isObject(raw) || !Array.isArray(raw.inbound_nodes)) return [];
  const names: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      // Keras 2: [layer_name, node_index, tensor_index, kwargs]
      if (typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number') { names.push(v[0]); return; }
      v.forEach(visit);
    } else if (isObject(v)) {
      // Keras 3: {"class_name": "__keras_tensor__", "config": {"keras_history": [name, node, tensor]}}
      const history = isObject(v.config) ? v.config.keras_history : undefined;
      if (Array.isArray(history) && typeof history[0] === 'string') { names.push(history[0]); return; }
      Object.values(v).forEach(visit);
    }
  };
  visit(raw.inbound_nodes);
  return names;
}

/** Orders a Functional model's layers along its single chain, or explains why it is not one. */
function chainOrder(layers: KerasLayerConfig[], raw: unknown[], config: JsonObject, file: string): KerasLayerConfig[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const next = new Map<string, string>();
  layers.forEach((layer, i) => {
    const inputs = inboundNames(raw[i]);
    if (layer.className === 'InputLayer') return;
    if (inputs.length !== 1 || !byName.has(inputs[0])) {
      throw new BnncError(`layer reads ${inputs.length} tensors (${inputs.join(', ') || 'none'})`, {
        file, where: `layer "${layer.name}" (${layer.className})`, expected: 'a chain: every layer reads the output of exactly one other layer',
        hint: 'bnnc imports sequential networks; residual connections and multiple inputs are not supported',
      });
    }
    if (next.has(inputs[0])) {
      throw new BnncError(`its output feeds more than one layer ("${next.get(inputs[0])}", "${layer.name}")`, {
        file, where: `layer "${inputs[0]}"`, expected: 'a chain: every output feeds at most one layer',
      });
    }
    next.set(inputs[0], layer.name);
  });
  const starts = layers.filter((l) => l.className === 'InputLayer');
  if (starts.length !== 1) {
    throw new BnncError(`the model has ${starts.length} inputs`, { file, where: 'model config', expected: 'exactly one InputLayer' });
  }
  const ordered: KerasLayerConfig[] = [];
  for (let cur: string | undefined = starts[0].name; cur !== undefined; cur = next.get(cur)) ordered.push(byName.get(cur)!);
  if (ordered.length !== layers.length) {
    const unreached = layers.filter((l) => !ordered.includes(l)).map((l) => l.name);
    throw new BnncError(`layers not on the chain from the input: ${unreached.join(', ')}`, { file, where: 'model config', expected: 'a single chain of layers' });
  }
  const outputs = JSON.stringify(config.output_layers ?? null);
  if (!outputs.includes(`"${ordered[ordered.length - 1].name}"`)) {
    throw new BnncError(`the model output is not the last layer of the chain ("${ordered[ordered.length - 1].name}")`, { file, where: 'model config', expected: 'one output at the end of the chain' });
  }
  return ordered.map((l, index) => ({ ...l, index }));
}
