/** bnnc convert <model> -o <file.bnn.json>: writes the imported model in the native format. */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { parseScale } from '../../data/index.ts';
import { BnncError } from '../../errors.ts';
import { loadModel } from '../../importers/index.ts';
import { toNativeJson } from '../../importers/native.ts';
import { writeOutputFile } from '../output.ts';
import type { CliIo } from '../io.ts';

export function registerConvert(program: Command, io: CliIo): void {
  program
    .command('convert <model>')
    .description('write a model (.onnx, .h5, .keras) as a native .bnn.json file')
    .requiredOption('-o, --out <file>', 'output file, ending in .bnn.json')
    .option('--sidecar', 'store tensors in <name>.bin next to the JSON instead of inline base64')
    .option('--input-type <type>', 'device input type to record: uint8, int8 or float32')
    .option('--input-scale <s>', 'declared input quantization: model input = S * (device value - Z), recorded as the first layer')
    .option('--input-zero-point <z>', 'the Z of --input-scale (default 0)')
    .action((path: string, opts: { out: string; sidecar?: boolean; inputType?: 'uint8' | 'int8' | 'float32'; inputScale?: string; inputZeroPoint?: string }) => {
      if (!opts.out.endsWith('.bnn.json')) throw new BnncError('the output name must end in .bnn.json', { file: opts.out, expected: 'model.bnn.json' });
      const model = loadModel(path, {
        inputType: opts.inputType,
        inputScale: opts.inputScale === undefined ? undefined : parseScale(opts.inputScale, '--input-scale'),
        inputZeroPoint: opts.inputZeroPoint === undefined ? undefined : parseScale(opts.inputZeroPoint, '--input-zero-point'),
      });
      const sidecarName = opts.sidecar ? basename(opts.out).replace(/\.bnn\.json$/, '.bnn.bin') : null;
      const { json, sidecar } = toNativeJson(model, sidecarName);
      if (sidecar && sidecarName) writeOutputFile(opts.out.replace(/\.bnn\.json$/, '.bnn.bin'), sidecar);
      writeOutputFile(opts.out, json);
      io.out(`wrote ${opts.out}${sidecarName ? ` and ${sidecarName}` : ''}: ${model.layers.length} layers, input ${model.input.dtype} x ${model.input.features}, ${model.classes} classes`);
    });
}
