/** Short previews of parameter arrays for --dump-after lines. */
export function preview(values: ArrayLike<number>, n = 6): string {
  const head = Array.from({ length: Math.min(n, values.length) }, (_, i) => values[i]);
  return `[${head.map((v) => (Number.isInteger(v) ? v : Number(v.toPrecision(6)))).join(', ')}${values.length > n ? `, ... (${values.length})` : ''}]`;
}
