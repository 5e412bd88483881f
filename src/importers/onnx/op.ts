/**
 * The contract of one ONNX operator handler (one file per op in ./ops/).
 *
 * `evaluate` gives the op's float semantics on constant tensors. The importer
 * uses it to fold constant subgraphs (shape computations, Sign of weights), and
 * the float reference interpreter (src/reference/interpreter.ts) uses it to run
 * whole graphs whose custom ops onnxruntime cannot run.
 *
 * `lower` translates the op applied to the running activation (the one
 * non-constant input of a sequential network) into IR layers.
 */
import type { FloatLayer, SignAtZero } from '../../ir/types.ts';
import type { Attributes, ConstTensor, NodeProto } from './proto.ts';

export interface NodeInfo {
  file: string;
  node: NodeProto;
  /** Node name, or "<opType> #<index>" for unnamed nodes. */
  label: string;
  attrs: Attributes;
}

export interface EvalContext extends NodeInfo {
  inputs: (ConstTensor | null)[];
}

export interface LowerContext extends NodeInfo {
  /** Index (in node.input) of the running activation. */
  dynamicInput: number;
  /** Shape of the running activation, batch axis included. */
  shape: number[];
  /** Constant inputs by index; null for the running activation and absent optional inputs. */
  consts: (ConstTensor | null)[];
  /** Annotations (e.g. FINN datatypes) of the node's inputs, by input index. */
  annotations: (Map<string, string> | null)[];
  /**
   * Where each element of the activation (ONNX row-major flat index, batch axis
   * excluded) lives in bnnc's layout, or null when both orders agree. Convolutions
   * produce NHWC while ONNX indexes NCHW; reshapes keep the mapping.
   */
  layout: Int32Array | null;
  /** A constant-zero Pad right before this node, to fold into it (only handlers with foldsPad see one). */
  pendingPad?: PendingPad;
}

/** A zero Pad waiting for the next node: its spatial pads [top, left, bottom, right] and the activation shape before it. */
export interface PendingPad {
  label: string;
  pads: [number, number, number, number];
  shape: number[];
}

export interface Lowered {
  layers: FloatLayer[];
  /** Shape of the running activation after the node. */
  shape: number[];
  /** True when the node ends the network (ArgMax, TopK). */
  terminal?: boolean;
  /** New layout of the activation (see LowerContext.layout); undefined keeps the current one. */
  layout?: Int32Array | null;
  /** A Pad node: nothing to run, its pads go to the next node (which must fold them). */
  pendingPad?: PendingPad;
}

export interface OpHandler {
  opType: string;
  /** ONNX domain; '' is the default domain (also spelled 'ai.onnx'). */
  domain: string;
  /** Inputs the op cannot do without (the first `requiredInputs` must be present); 1 when absent. */
  requiredInputs?: number;
  evaluate?(ctx: EvalContext): ConstTensor[];
  lower?(ctx: LowerContext): Lowered;
  /** The handler folds a preceding zero Pad (ctx.pendingPad) into its own padding. */
  foldsPad?: boolean;
}

export type { SignAtZero };
