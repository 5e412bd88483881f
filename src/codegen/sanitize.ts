/**
 * Names from models enter generated files only through this module: as C
 * identifiers (toCIdentifier, modelPrefix) or as comment text (commentText).
 * A model file is untrusted input: its graph, node and file names must never
 * become code in any generated C, header, sketch, Makefile, CMakeLists.txt or
 * library manifest.
 */
import { BnncError } from '../errors.ts';

const C_KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern', 'float',
  'for', 'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed', 'sizeof', 'static',
  'struct', 'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while', '_Bool', '_Complex', '_Imaginary',
  // C++ keywords too: the headers are included from Arduino sketches.
  'class', 'delete', 'new', 'namespace', 'template', 'this', 'throw', 'try', 'catch', 'private', 'public', 'protected',
  'virtual', 'operator', 'bool', 'true', 'false', 'main',
]);

/** C99 guarantees 31 significant characters in an external identifier. */
const MAX_IDENTIFIER = 31;

/**
 * A lower-case C identifier from any string: runs of characters outside
 * [a-z0-9] become one underscore, no leading/trailing/double underscores
 * (reserved in C), a leading digit gets a prefix, keywords get a suffix, and
 * the result is at most `maxLength` characters.
 */
export function toCIdentifier(name: string, fallback = 'model', maxLength = MAX_IDENTIFIER): string {
  let id = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents left as combining marks by NFKD
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (id.length === 0) id = fallback;
  if (/^[0-9]/.test(id)) id = `${fallback.charAt(0) || 'm'}${id}`;
  id = id.slice(0, maxLength).replace(/_+$/, '');
  if (C_KEYWORDS.has(id)) id = `${id}_`;
  return id;
}

/** Upper-case form for macros. */
export function toCMacro(name: string): string {
  return toCIdentifier(name).toUpperCase();
}

/**
 * Stems the runtime uses for its files (`<stem>.c`, `<stem>.h`), its header
 * guards (`<STEM>_H`) and the verification drivers. A model prefix equal to one
 * of them would overwrite that file or reuse its guard, so it gets
 * RESERVED_SUFFIX. test/codegen/names.test.ts checks this list against every
 * runtime identifier in runtime/, templates/ and harness/.
 */
export const RUNTIME_STEMS: ReadonlySet<string> = new Set([
  'bnn', 'bnnc',
  'bnn_kernels', 'bnn_popcount', 'bnn_kernel_config', 'bnn_kernel_variant',
  'bnn_popcount_portable', 'bnn_popcount_builtin', 'bnn_popcount_armv7em', 'bnn_popcount_armv6m',
  'bnn_popcount_mve', 'bnn_popcount_zbb', 'bnn_popcount_rv32',
  'bnn_dense_b1', 'bnn_dense_b1_pop', 'bnn_conv2d_b1', 'bnn_conv2d_b1_rows', 'bnn_conv2d_b1_gather', 'bnn_conv2d_b1_count', 'bnn_conv2d_b1_rv32', 'bnn_conv2d_b1_armv7em', 'bnn_conv2d_grouped_b1', 'bnn_maxpool_b1', 'bnn_conv2d_pool', 'bnn_conv2d_int', 'bnn_dense_int',
  'bnn_dense_u8_b1', 'bnn_dense_s8_b1', 'bnn_dense_u8_acc', 'bnn_dense_s8_acc', 'bnn_conv2d_u8_b1', 'bnn_conv2d_s8_b1', 'bnn_dense_f32_b1', 'bnn_conv2d_f32_b1',
  'bnn_binarize_f32', 'bnn_binarize_u8', 'bnn_binarize_s8',
  'bnnc_host', 'bnnc_host_asan', 'bnnc_host_main', 'bnnc_qemu_main', 'bnnc_qemu_samples', 'bnnc_uart_selftest_main',
  'bnnc_hal', 'bnnc_uart', 'dense_bench',
]);

/** Appended to a model prefix that collides with the runtime (`bnn_kernels` -> `bnn_kernels_model`). */
export const RESERVED_SUFFIX = '_model';

export interface ModelPrefix {
  /** The C prefix of every generated model file and symbol. */
  prefix: string;
  /** The sanitised name that collided with the runtime, when a suffix was added. */
  reserved: string | null;
}

/**
 * The C prefix for a model name or --name: the sanitised identifier, with
 * RESERVED_SUFFIX when it would collide with a runtime file or header guard.
 */
export function modelPrefix(name: string): ModelPrefix {
  const id = toCIdentifier(name);
  if (!RUNTIME_STEMS.has(id)) return { prefix: id, reserved: null };
  return { prefix: `${id.slice(0, MAX_IDENTIFIER - RESERVED_SUFFIX.length).replace(/_+$/, '')}${RESERVED_SUFFIX}`, reserved: id };
}

/** One line saying why the prefix is not the sanitised name, or null. */
export function reservedPrefixNote(p: ModelPrefix): string | null {
  return p.reserved ? `C prefix ${p.prefix}: ${p.reserved} is reserved by the bnnc runtime (its files and header guards)` : null;
}

/**
 * A prefix given by a caller of the library (generateC's `name`) must already
 * be what modelPrefix makes: an identifier that is not a runtime stem.
 */
export function checkPrefix(prefix: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(prefix) || prefix.length > MAX_IDENTIFIER || /__/.test(prefix) || C_KEYWORDS.has(prefix) || RUNTIME_STEMS.has(prefix)) {
    throw new BnncError(`'${commentText(prefix, 40)}' is not a usable C prefix`, {
      where: 'name',
      expected: `what modelPrefix() returns for it: ${modelPrefix(prefix).prefix}`,
    });
  }
  return prefix;
}

/** Default length of a name in a generated comment or manifest string. */
export const MAX_COMMENT_TEXT = 80;

/**
 * Free text (a model, node or file name) reduced to a subset that is inert in
 * a C or C++ comment, a `#` comment of Make or CMake, a library.properties
 * value and a JSON string: printable ASCII on one line, no backslash (line
 * splicing in C, continuation in Make), no `/*` or `*\/` (comment delimiters),
 * no `??` (trigraphs under -std=c99), no control or bidi characters, never
 * starting or ending with `/` or `*`, at most `maxLength` characters.
 * Letters with accents keep the letter; other non-ASCII characters become `?`.
 */
export function commentText(text: string, maxLength = MAX_COMMENT_TEXT, fallback = '(unnamed)'): string {
  let s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/gu, ' ')
    .replace(/[^\x20-\x7e]/gu, '?')
    .replace(/\\/g, '/');
  for (let previous = ''; previous !== s;) {
    previous = s;
    s = s.replace(/\/\*/g, '/ *').replace(/\*\//g, '* /');
  }
  s = s.replace(/\?{2,}/g, '?').replace(/ {2,}/g, ' ').replace(/^[\s*/]+|[\s*/]+$/g, '');
  if (s.length > maxLength) s = `${s.slice(0, maxLength - 3).replace(/[\s*/]+$/, '')}...`;
  return s.length > 0 ? s : fallback;
}

/**
 * An Arduino library name: library.properties allows letters, digits, spaces,
 * underscores, dots and dashes, starting with a letter or digit and holding at
 * least one letter. A model prefix already satisfies that; other text is reduced.
 */
export function arduinoLibraryName(name: string): string {
  const reduced = name.replace(/[^A-Za-z0-9 _.-]+/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63);
  return /[A-Za-z]/.test(reduced) ? reduced : `model${reduced}`;
}
