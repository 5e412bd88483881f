/** bnnc inspect <model>: imported graph, what each source node became, figures per layer. */
import type { Command } from 'commander';
import { modelPrefix, reservedPrefixNote } from '../../codegen/sanitize.ts';
import { summarize } from '../../inspect/summary.ts';
import { addModelOptions, loadAndLower, type ModelOptions } from '../common.ts';
import type { CliIo } from '../io.ts';
import { formatTable } from '../table.ts';

export function registerInspect(program: Command, io: CliIo): void {
  addModelOptions(program
    .command('inspect <model>')
    .description('show the imported graph, the lowered layers, parameters, flash and arena bytes per layer'))
    .option('--json', 'print one JSON object')
    .action((path: string, opts: ModelOptions & { json?: boolean }) => {
      const { model, lowered } = loadAndLower(path, opts, io.out, io.err);
      const rows = summarize(lowered);
      const prefix = modelPrefix(model.name);
      if (opts.json) {
        io.out(JSON.stringify({
          model: model.name, cPrefix: prefix.prefix, reservedName: prefix.reserved, source: model.sourcePath, format: model.sourceFormat, input: model.input, classes: model.classes,
          imported: model.layers.map((l) => ({ kind: l.kind, name: l.name, sources: l.sources })),
          layers: rows, arenaBytes: lowered.memory.arenaBytes, arenaLowerBoundBytes: lowered.memory.lowerBoundBytes,
          flashBytes: rows.reduce((s, r) => s + r.flashBytes, 0),
        }, null, 2));
        return;
      }
      io.out(`${model.name}: ${model.sourcePath} (${model.sourceFormat}), input ${model.input.dtype} [${model.input.shape.join(', ')}], ${model.classes} classes`);
      io.out(`C prefix: ${prefix.prefix} (files ${prefix.prefix}.h, ${prefix.prefix}.c; function ${prefix.prefix}_predict)`);
      const note = reservedPrefixNote(prefix);
      if (note) io.out(`note: ${note}`);
      io.out('\nimported (float semantics):');
      io.out(formatTable(['#', 'layer', 'kind', 'source nodes'], model.layers.map((l, i) => [i, l.name, l.kind, l.sources.join(', ')])));
      io.out('\nlowered (integer semantics):');
      io.out(formatTable(['#', 'layer', 'kind', 'in', 'out', 'shape', 'params', 'flash B', 'arena B', 'source nodes'],
        rows.map((r) => [r.index, r.name, r.kind, r.input, r.output, r.shape, r.params, r.flashBytes, r.arenaBytes, [...new Set(r.sources)].join(', ')])));
      const flash = rows.reduce((s, r) => s + r.flashBytes, 0);
      io.out(`\nconstants ${flash} bytes (flash); arena ${lowered.memory.arenaBytes} bytes (RAM; lower bound ${lowered.memory.lowerBoundBytes})`);
    });
}
