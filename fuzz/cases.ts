/** What the fuzzer feeds to bnnc: one file (plus a sidecar for .bnn.json), and what is known about it. */

export type Family = 'onnx' | 'bnn.json' | 'data';

export interface FuzzFile {
  /** File name with the extension bnnc reads the format from. */
  name: string;
  bytes: Uint8Array;
  /** Not a regular file: a link to /dev/zero, a named pipe, or a folder (bytes unused). */
  special?: 'dev-zero' | 'fifo' | 'directory';
}

export interface FuzzCase {
  id: number;
  family: Family;
  /** The valid file the mutant was made from, e.g. "wearable-motion/model.onnx". */
  seed: string;
  /** What was done to it, e.g. "bytes: flip 3 bits" or "onnx: strides [0, 0] on Conv #2". */
  mutation: string;
  /**
   * True for structured mutants that are invalid by construction (a stride of 0,
   * NaN weights, labels outside the classes, ...): bnnc must refuse them, so
   * accepting one is "wrongly accepted". Byte-level mutants are false: they may
   * or may not still be valid, and only the invariants on accepted results judge them.
   */
  invalid: boolean;
  /**
   * The mutant only renames (escape codes, bidi controls, runtime stems): the CLI
   * runs `inspect` on it (terminal output). Names inside generated C are the
   * banner builder's concern, with its own -Werror tests (issue 10 items 1-2).
   */
  renamed?: boolean;
  /**
   * A resource mutant (gzip bomb, /dev/zero, a FIFO, a folder): run through the
   * CLI only, under the memory watchdog, since it is about what a process
   * reading it costs (issue 10 item 4).
   */
  resource?: boolean;
  file: FuzzFile;
  /** Extra files next to it (a .bnn.json's sidecar, an IDX labels file). */
  companions: FuzzFile[];
  /** Data mutants: the model they are verified against, its class count and input size. */
  pairedModel?: { path: string; classes: number; features: number };
  /** Model mutants: a data set the seed model verifies on. */
  pairedData?: string;
  /** Data given as a folder (IDX images + labels): its name; the file and companions go inside. */
  folder?: string | null;
}

/** A mutation that may not apply to a given seed (e.g. no Conv node): null then. */
export interface Mutant {
  mutation: string;
  invalid: boolean;
  renamed?: boolean;
  bytes: Uint8Array;
  companions?: FuzzFile[];
}
