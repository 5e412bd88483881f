/**
 * bnnc predict <model> --data D: each sample's class and scores from the
 * emulator (bit-exact with the generated C), as a table, JSON or CSV.
 */
import type { Command } from 'commander';
import type { Prediction } from '../../api.ts';
import { loadDataset, type Dataset } from '../../data/index.ts';
import { BnncError } from '../../errors.ts';
import { addDataOptions, addModelOptions, dataOptions, loadAndLower, type DataCliOptions, type ModelOptions } from '../common.ts';
import type { CliIo } from '../io.ts';
import { formatTable } from '../table.ts';

interface PredictOptions extends ModelOptions, DataCliOptions {
  data: string;
  json?: boolean;
  csv?: boolean;
}

function asJson(data: Dataset, predictions: Prediction[]): string {
  return JSON.stringify({
    samples: predictions.map((p, i) => ({ index: i, class: p.class, label: data.labels ? data.labels[i] : null, scores: p.scores })),
  });
}

function asCsv(data: Dataset, predictions: Prediction[], classes: number): string {
  const header = ['index', 'class', 'label', ...Array.from({ length: classes }, (_, c) => `score${c}`)].join(',');
  const rows = predictions.map((p, i) => [i, p.class, data.labels ? data.labels[i] : '', ...p.scores].join(','));
  return [header, ...rows].join('\n');
}

function asTable(data: Dataset, predictions: Prediction[]): string {
  const header = ['#', 'class', ...(data.labels ? ['label'] : []), 'scores'];
  return formatTable(header, predictions.map((p, i) => [i, p.class, ...(data.labels ? [data.labels[i]] : []), p.scores.join(' ')]));
}

export function registerPredict(program: Command, io: CliIo): void {
  const cmd = addModelOptions(program
    .command('predict <model>')
    .description('print each sample\'s class and scores (the emulator, bit-exact with the generated C)'));
  addDataOptions(cmd, { required: true, purpose: 'one prediction per sample', limit: true })
    .option('--json', 'print one JSON object: {"samples": [{"index", "class", "label", "scores"}]}')
    .option('--csv', 'print CSV: index,class,label,score0,score1,...')
    .action((path: string, opts: PredictOptions) => {
      if (opts.json && opts.csv) throw new BnncError('give --json or --csv, not both', { where: 'bnnc predict' });
      const { bnn } = loadAndLower(path, opts, io.out);
      const data = loadDataset(opts.data, dataOptions(opts));
      if (data.features !== bnn.input.features) {
        throw new BnncError(`samples have ${data.features} values, the model takes ${bnn.input.features}`, {
          file: opts.data, expected: `${bnn.input.features} values per sample (input shape [${bnn.input.shape.join(', ')}])`,
        });
      }
      const predictions = bnn.emulateBatch(data);
      if (opts.json) io.out(asJson(data, predictions));
      else if (opts.csv) io.out(asCsv(data, predictions, bnn.classes));
      else {
        io.out(`bnnc predict: ${bnn.name}, ${data.samples} samples from ${opts.data}`);
        io.out(asTable(data, predictions));
        io.out(`classes: [${predictions.map((p) => p.class).join(', ')}]`);
      }
    });
}
