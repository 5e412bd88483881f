/** The registry of ONNX operators bnnc understands, keyed by domain and op type. */
import type { OpHandler } from '../op.ts';
import { argmax, topk } from './argmax.ts';
import { batchNormalization } from './batchnorm.ts';
import { bipolarQuantBrevitas, bipolarQuantQonnx } from './bipolarquant.ts';
import { averagePool, globalAveragePool } from './avgpool.ts';
import { clip } from './clip.ts';
import { conv } from './conv.ts';
import { add, div, mul, pow, sub } from './elementwise.ts';
import { flatten } from './flatten.ts';
import { gemm } from './gemm.ts';
import { dropout, identity } from './identity.ts';
import { matmul } from './matmul.ts';
import { maxpool } from './maxpool.ts';
import { pad } from './pad.ts';
import { constantOfShape, slice } from './slice.ts';
import { multiThreshold } from './multithreshold.ts';
import { reshape } from './reshape.ts';
import { cast, concat, constant, gather, shapeOp } from './shape.ts';
import { sign } from './sign.ts';
import { squeeze, unsqueeze } from './squeeze.ts';
import { transpose } from './transpose.ts';

export const OP_HANDLERS: readonly OpHandler[] = [
  add, sub, mul, div, pow, matmul, gemm, conv, pad, maxpool, averagePool, globalAveragePool, transpose, sign, clip, batchNormalization,
  flatten, reshape, squeeze, unsqueeze, shapeOp, gather, concat, constant, cast, slice, constantOfShape,
  identity, dropout, argmax, topk, bipolarQuantBrevitas, bipolarQuantQonnx, multiThreshold,
];

/** '' and 'ai.onnx' both name the default domain. */
export function normalizeDomain(domain: string | null | undefined): string {
  return !domain || domain === 'ai.onnx' ? '' : domain;
}

const BY_KEY = new Map(OP_HANDLERS.map((h) => [`${h.domain}::${h.opType}`, h]));

export function findHandler(domain: string | null | undefined, opType: string): OpHandler | undefined {
  return BY_KEY.get(`${normalizeDomain(domain)}::${opType}`);
}
