/**
 * Text for a terminal. Names come from model files (graph, node and layer
 * names) and reach the terminal in reports, tables and error messages. An
 * escape sequence in a name could recolour, hide or rewrite what bnnc prints
 * (or, on some terminals, set the window title or a clipboard), and a bidi
 * control could reorder a line. Every such character is written as a \uXXXX
 * escape instead: readable in text, and the same value inside JSON strings.
 * Newlines and tabs are bnnc's own layout and are kept.
 */

// C0 controls except \t and \n, DEL, C1 controls, and the Unicode bidi controls
// (LRM, RLM, ALM, LRE..RLO, LRI..PDI), plus line/paragraph separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
