/**
 * Structured `.bnn.json` mutants (docs/bnn-json.md): window geometry, sizes,
 * tensors, types and the sidecar reference, each invalid by construction unless
 * it says otherwise.
 */
import type { FuzzFile, Mutant } from '../cases.ts';
import { HOSTILE_SIZES, type Rng } from '../random.ts';

type Json = Record<string, any>;
type Mutation = (rng: Rng, doc: Json) => { mutation: string; invalid: boolean; renamed?: boolean; companions?: FuzzFile[] } | null;

function layers(doc: Json, ...kinds: string[]): Json[] {
  return (doc.layers as Json[]).filter((l) => kinds.length === 0 || kinds.includes(l.kind));
}

/** Every tensor reference of the model, with its JSON path. */
function tensorRefs(doc: Json): { ref: Json; where: string }[] {
  const refs: { ref: Json; where: string }[] = [];
  (doc.layers as Json[]).forEach((l, i) => {
    if (l.weight) refs.push({ ref: l.weight, where: `/layers/${i}/weight` });
    if (l.bias) refs.push({ ref: l.bias, where: `/layers/${i}/bias` });
    (l.steps ?? []).forEach((s: Json, k: number) => refs.push({ ref: s.value, where: `/layers/${i}/steps/${k}/value` }));
  });
  return refs;
}

function hostileOtherThan(rng: Rng, current: number): number {
  return rng.pick(HOSTILE_SIZES.filter((v) => v !== current));
}

const MUTATIONS: Record<string, Mutation> = {
  /** stride 0, pads of 1e9, a pooling kernel of 1e9: inconsistent with the shapes and beyond the C field widths. */
  windowGeometry(rng, doc) {
    const layer = rng.pick(layers(doc, 'conv2d', 'maxpool', 'avgpool'));
    if (!layer) return null;
    const field = rng.pick(layer.kind === 'conv2d' ? ['stride', 'kernel', 'pads'] : ['stride', 'kernel']);
    const values = [...layer[field]];
    const at = rng.int(0, values.length - 1);
    values[at] = rng.pick([0, -1, 128, 1e9, 2 ** 31].filter((v) => v !== values[at]));
    layer[field] = values;
    return { mutation: `${layer.kind} "${layer.name}" ${field} [${values}]`, invalid: true };
  },

  /** inShape / outShape of a window layer changed: the geometry no longer adds up (or exceeds int16). */
  windowShape(rng, doc) {
    const layer = rng.pick(layers(doc, 'conv2d', 'maxpool', 'avgpool'));
    if (!layer) return null;
    const field = rng.pick(['inShape', 'outShape']);
    const values = [...layer[field]];
    const at = rng.int(0, 2);
    values[at] = hostileOtherThan(rng, values[at]);
    layer[field] = values;
    return { mutation: `${layer.kind} "${layer.name}" ${field} [${values}]`, invalid: true };
  },

  /** A feature count of a layer changed: the chain of sizes breaks. */
  featureCount(rng, doc) {
    const layer = rng.pick(layers(doc).filter((l) => 'features' in l || 'inFeatures' in l));
    if (!layer) return null;
    const field = 'features' in layer ? 'features' : rng.pick(['inFeatures', 'outFeatures']);
    layer[field] = hostileOtherThan(rng, layer[field]);
    return { mutation: `${layer.kind} "${layer.name}" ${field} = ${layer[field]}`, invalid: true };
  },

  /** The input's shape or feature count, or the class count, changed. */
  modelSizes(rng, doc) {
    const field = rng.pick(['input.features', 'input.shape', 'classes']);
    if (field === 'classes') doc.classes = hostileOtherThan(rng, doc.classes);
    else if (field === 'input.features') doc.input.features = hostileOtherThan(rng, doc.input.features);
    else {
      const at = rng.int(0, doc.input.shape.length - 1);
      doc.input.shape[at] = hostileOtherThan(rng, doc.input.shape[at]);
    }
    return { mutation: `${field} changed`, invalid: true };
  },

  /** A tensor's declared length no longer matches its data. */
  tensorLength(rng, doc) {
    const t = rng.pick(tensorRefs(doc));
    if (!t) return null;
    const before = t.ref.length;
    t.ref.length = hostileOtherThan(rng, before);
    return { mutation: `${t.where} length ${before} -> ${t.ref.length}`, invalid: true };
  },

  /** NaN or Inf inside a tensor's float32 data. */
  tensorNonFinite(rng, doc) {
    const t = rng.pick(tensorRefs(doc).filter((x) => typeof x.ref.base64 === 'string'));
    if (!t) return null;
    const bytes = Buffer.from(t.ref.base64, 'base64');
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    const at = rng.int(0, values.length - 1);
    values[at] = rng.pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    t.ref.base64 = Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
    return { mutation: `${t.where}[${at}] = ${values[at]}`, invalid: true };
  },

  /** base64 that is not base64, or that decodes to another length. */
  tensorEncoding(rng, doc) {
    const t = rng.pick(tensorRefs(doc).filter((x) => typeof x.ref.base64 === 'string'));
    if (!t) return null;
    t.ref.base64 = rng.pick(['', '!!!!', t.ref.base64.slice(0, -8), `${t.ref.base64}AAAA`]);
    return { mutation: `${t.where} base64 damaged`, invalid: true };
  },

  /** A value of the wrong JSON type (a string for a number, an object for an array, null). */
  wrongType(rng, doc) {
    const layer = rng.pick(layers(doc));
    const key = rng.pick(Object.keys(layer).filter((k) => k !== 'kind' && k !== 'sources' && k !== 'bias'));
    if (!key) return null;
    const before = layer[key];
    layer[key] = rng.pick(['12', { a: 1 }, null, [1, 2], true, 1.5].filter((v) => typeof v !== typeof before || Array.isArray(v) !== Array.isArray(before)));
    return { mutation: `${layer.kind} "${layer.name}" ${key} = ${JSON.stringify(layer[key])}`, invalid: true };
  },

  /** A required property removed. */
  missingProperty(rng, doc) {
    const target = rng.chance(0.3) ? doc : rng.pick(layers(doc));
    const required = target === doc ? ['format', 'version', 'name', 'input', 'classes', 'layers'] : Object.keys(target).filter((k) => k !== 'sources');
    const key = rng.pick(required);
    delete target[key];
    return { mutation: `property "${key}" removed${target === doc ? '' : ` from layer "${target.name}"`}`, invalid: true };
  },

  /** The sidecar points outside the model's folder, at a device, or at nothing. */
  sidecarPath(rng, doc) {
    if (!doc.sidecar) return null;
    doc.sidecar = rng.pick(['../../../../etc/hostname', '/dev/zero', '/etc/passwd', 'missing.bin', '..', 'sub/dir.bin']);
    return { mutation: `sidecar "${doc.sidecar}"`, invalid: true };
  },

  /** Offsets into the sidecar beyond its end. */
  sidecarOffset(rng, doc) {
    const t = rng.pick(tensorRefs(doc).filter((x) => typeof x.ref.offset === 'number'));
    if (!t) return null;
    t.ref.offset = rng.pick([2 ** 31, 1e12, 2 ** 53]);
    return { mutation: `${t.where} offset ${t.ref.offset}`, invalid: true };
  },

  /** Hostile but harmless names (escape codes, bidi controls, runtime stems). Valid. */
  names(rng, doc) {
    const name = rng.pick(['\u001b[2J\u001b[31mred', 'a\u202egnp.exe', 'bnn_kernels', 'x'.repeat(3000), '*/ int x; /*']);
    if (rng.chance(0.5)) doc.name = name;
    else rng.pick(layers(doc)).name = name;
    return { mutation: `name ${JSON.stringify(name.slice(0, 30))}`, invalid: false, renamed: true };
  },

  /** Two layers swap places: the chain usually breaks. */
  swapLayers(rng, doc) {
    const list = doc.layers as Json[];
    if (list.length < 2) return null;
    const i = rng.int(0, list.length - 2);
    [list[i], list[i + 1]] = [list[i + 1], list[i]];
    return { mutation: `swap layers ${i} and ${i + 1}`, invalid: false };
  },
};

/** One structured mutant of a .bnn.json document (its sidecar, if any, stays as it is). */
/** Window mutations apply to the CNN's conversions only: drawn more often so that they are not rare. */
const DRAWS = Object.keys(MUTATIONS).flatMap((name) => (name.startsWith('window') ? [name, name, name] : [name]));

export function mutateNative(rng: Rng, text: string): Mutant | null {
  const doc = JSON.parse(text) as Json;
  const name = rng.pick(DRAWS);
  const result = MUTATIONS[name](rng, doc);
  if (!result) return null;
  return { ...result, mutation: `bnn.json ${name}: ${result.mutation}`, bytes: new TextEncoder().encode(JSON.stringify(doc, null, 1)) };
}
