/**
 * User-facing errors. Every problem a user can cause (bad file, unsupported
 * node, missing toolchain) becomes a BnncError that names where it happened,
 * what was expected and what to do. The CLI prints `error: <message>` and exits
 * non-zero; it never shows a stack trace for a BnncError.
 */
export interface ErrorContext {
  /** File the problem is in, as the user named it. */
  file?: string;
  /** Place inside the file: node name, layer name, JSON path, ... */
  where?: string;
  /** What was expected instead. */
  expected?: string;
  /** What the user can do about it. */
  hint?: string;
}

export class BnncError extends Error {
  readonly context: ErrorContext;

  constructor(message: string, context: ErrorContext = {}) {
    super(formatMessage(message, context));
    this.name = 'BnncError';
    this.context = context;
  }
}

function formatMessage(message: string, ctx: ErrorContext): string {
  const place = [ctx.file, ctx.where].filter(Boolean).join(': ');
  let text = place ? `${place}: ${message}` : message;
  if (ctx.expected) text += `\n  expected: ${ctx.expected}`;
  if (ctx.hint) text += `\n  hint: ${ctx.hint}`;
  return text;
}

/**
 * The generated code disagreed with bnnc's emulator or reference (exit status
 * 1, like a verify FAIL), as opposed to bad input (2).
 */
export class VerificationFailure extends BnncError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context);
    this.name = 'VerificationFailure';
  }
}

/** Exit statuses of the bnnc command (README, "Exit status"). */
export const EXIT = { ok: 0, verificationFailed: 1, badInput: 2, internal: 70 } as const;

/** Internal invariant: a failure here is a bug in bnnc, not in the user's input. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`bnnc internal error: ${message}`);
}
