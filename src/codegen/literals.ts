/** Formatting of C literals. Templates never format numbers; these tested helpers do. */

function rows(items: string[], perLine: number, indent: string): string {
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(indent + items.slice(i, i + perLine).join(', ') + ',');
  return lines.join('\n');
}

export function hexWord(v: number): string {
  return `0x${(v >>> 0).toString(16).toUpperCase().padStart(8, '0')}u`;
}

/** int32 literal; INT32_MIN cannot be written directly in C. */
export function int32Literal(v: number): string {
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new Error(`bnnc internal error: ${v} is not an int32`);
  return v === -2147483648 ? '(-2147483647 - 1)' : String(v);
}

/** float32 literal that reads back to the same float32 (at most 9 significant digits); finite values only. */
export function float32Literal(v: number): string {
  const f = Math.fround(v);
  if (!Number.isFinite(f)) throw new Error(`bnnc internal error: no C99 literal for ${f} without math.h`);
  if (Object.is(f, -0)) return '-0.0f';
  if (Number.isInteger(f) && Math.abs(f) < 1e9) return `${f}.0f`;
  // The shortest decimal that reads back to this float32 (at most 9 significant digits).
  for (let digits = 1; digits <= 9; digits++) {
    const text = f.toPrecision(digits);
    if (Math.fround(Number.parseFloat(text)) === f) {
      const c = text.replace(/e\+?/, 'e');
      return `${c.includes('.') || c.includes('e') ? c : `${c}.0`}f`;
    }
  }
  throw new Error(`bnnc internal error: no float32 literal for ${v}`);
}

export function hexWords(values: ArrayLike<number>, indent = '    '): string {
  return rows(Array.from(values, hexWord), 8, indent);
}

export function int32s(values: ArrayLike<number>, indent = '    ', perLine = 12): string {
  return rows(Array.from(values, int32Literal), perLine, indent);
}

export function float32s(values: ArrayLike<number>, indent = '    '): string {
  return rows(Array.from(values, float32Literal), 6, indent);
}

/** One line of comma-separated literals (for a test vector row). */
export function inlineList(values: ArrayLike<number>, format: (v: number) => string): string {
  return Array.from(values, format).join(', ');
}
