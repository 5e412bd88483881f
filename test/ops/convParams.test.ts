/**
 * bnn_conv2d_params_t is defined once, in src/ops/common/convParams.ts: the C
 * struct in the generated bnn_kernels.h must list the same fields with the same
 * types in the same order, and the host compiler must agree on every offset and
 * on the size that inspect reports.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateC } from '../../src/codegen/generate.ts';
import { importOnnx } from '../../src/importers/onnx/import.ts';
import { CONV_PARAM_FIELDS, CONV_PARAMS_BYTES, convParamsInitializer } from '../../src/ops/common/convParams.ts';
import { runPasses } from '../../src/passes/index.ts';
import { binaryCnn } from '../helpers/onnxBuilder.ts';

const model = runPasses(importOnnx('c.onnx', {}, binaryCnn({ input: [1, 6, 6], convs: [{ out: 8, kernel: 3, pads: 1 }], dense: [4], seed: 2, inputType: 'uint8' })));
const files = generateC(model, { vectors: [new Array(36).fill(0)] });
const header = files.find((f) => f.name === 'bnn_kernels.h')!.content;

/** The fields of `typedef struct { ... } name;` as [ctype, field] pairs, in declaration order. */
function structFields(source: string, name: string): [string, string][] {
  const body = new RegExp(`typedef struct \\{([^}]*)\\} ${name};`).exec(source);
  if (!body) throw new Error(`no struct ${name}`);
  return body[1]
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean)
    .flatMap((d) => {
      const [, ctype, names] = /^(\w+)\s+(.*)$/.exec(d)!;
      return names.split(',').map((n): [string, string] => [ctype, n.trim()]);
    });
}

describe('bnn_conv2d_params_t', () => {
  it('the header declares the fields of CONV_PARAM_FIELDS, in order, with their C types', () => {
    expect(structFields(header, 'bnn_conv2d_params_t')).toEqual(CONV_PARAM_FIELDS.map((f) => [f.ctype, f.name]));
  });

  it('the compiler agrees on its size and every offset, and accepts the generated initialiser', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bnnc-conv-params-'));
    try {
      for (const f of files) writeFileSync(join(dir, f.name), f.content);
      let offset = 0;
      const checks = CONV_PARAM_FIELDS.map((f) => {
        const bytes = f.ctype === 'int16_t' ? 2 : 1;
        offset = Math.ceil(offset / bytes) * bytes;
        const check = `_Static_assert(offsetof(bnn_conv2d_params_t, ${f.name}) == ${offset}, "${f.name}");`;
        offset += bytes;
        return check;
      });
      const conv = model.layers.find((l) => 'convShape' in l)!;
      writeFileSync(join(dir, 'check.c'), [
        '#include <stddef.h>', '#include "bnn_kernels.h"', ...checks,
        `_Static_assert(sizeof(bnn_conv2d_params_t) == ${CONV_PARAMS_BYTES}, "size");`,
        `const bnn_conv2d_params_t p = { ${convParamsInitializer(conv as never)} };`, '',
      ].join('\n'));
      execFileSync('cc', ['-std=c11', '-Wall', '-Werror', '-c', join(dir, 'check.c'), '-o', join(dir, 'check.o')], { cwd: dir, stdio: 'pipe' });
      expect(CONV_PARAMS_BYTES).toBe(30); // 8 int16_t and 14 int8_t fields, no padding between them
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
