/** Names from models become C identifiers only through this function. */

const C_KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern', 'float',
  'for', 'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed', 'sizeof', 'static',
  'struct', 'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while', '_Bool', '_Complex', '_Imaginary',
  // C++ keywords too: the headers are included from Arduino sketches.
  'class', 'delete', 'new', 'namespace', 'template', 'this', 'throw', 'try', 'catch', 'private', 'public', 'protected',
  'virtual', 'operator', 'bool', 'true', 'false', 'main',
]);

/**
 * A lower-case C identifier from any string: runs of characters outside
 * [a-z0-9] become one underscore, no leading/trailing/double underscores
 * (reserved in C), a leading digit gets a prefix, keywords get a suffix, and
 * the result is at most `maxLength` characters (C99 guarantees 31 significant).
 */
export function toCIdentifier(name: string, fallback = 'model', maxLength = 31): string {
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
