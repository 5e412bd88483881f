/**
 * Model figures for the benchmark: each example model of the repository (the
 * npm package carries only mnist-mlp) and the QONNX TFC network, verified bit-exact under QEMU on every
 * target with a machine, with its instructions per inference (mean over a few
 * samples), flash and RAM of the firmware objects (model + kernels), and on
 * cores with a timing model the cycles of one inference (docs/cycles.md).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../importers/index.ts';
import { runPasses } from '../passes/index.ts';
import { listTargets } from '../targets/load.ts';
import { toolchainStatus } from '../toolchain/cross.ts';
import { timingModelFor } from '../toolchain/cycles.ts';
import { PROJECT_ROOT } from '../version.ts';
import { verifyOnHost } from '../verify/verify.ts';

export interface BenchModel {
  model: string;
  path: string;
  data: string;
  scale?: number;
}

export interface ModelBenchResult {
  model: string;
  target: string;
  kernel: string;
  instructionsPerInference: number;
  /** Modelled cycles of one inference (sample 0) and milliseconds at the target's clock; null where the core has no timing model. */
  cycles: number | null;
  ms: number | null;
  flashBytes: number;
  ramBytes: number;
  bitExact: boolean;
}

export function benchModels(): BenchModel[] {
  const ex = (name: string, data: string) => ({ model: name, path: join(PROJECT_ROOT, 'examples', name, 'model.onnx'), data: join(PROJECT_ROOT, 'examples', name, data) });
  const mnistData = join(PROJECT_ROOT, 'examples', 'mnist-mlp', 'data');
  const tfc = join(PROJECT_ROOT, 'examples', 'peer-models', 'qonnx-tfc-w1a1', 'TFC_1W1A.onnx');
  const list: BenchModel[] = [
    ex('mnist-mlp', 'data'),
    ex('wearable-motion', 'data/test.npz'),
    { ...ex('mnist-cnn', 'data'), data: mnistData },
    { model: 'qonnx-tfc-w1a1', path: tfc, data: mnistData, scale: 1 / 255 },
  ];
  return list.filter((m) => existsSync(m.path));
}

export async function benchModelFigures(opts: { samples?: number; targets?: string[]; onResult?: (r: ModelBenchResult) => void } = {}): Promise<ModelBenchResult[]> {
  const targets = listTargets().filter((t) => t.qemu && toolchainStatus(t).available && (!opts.targets || opts.targets.includes(t.name)));
  const results: ModelBenchResult[] = [];
  for (const m of benchModels()) {
    const model = loadModel(m.path);
    const lowered = runPasses(model);
    for (const target of targets) {
      const report = await verifyOnHost(model, lowered, {
        data: m.data, scale: m.scale, limit: opts.samples ?? 4, target, noSanitize: true, noReference: true,
        cycles: timingModelFor(target.compiler.cflags) !== null,
      });
      const r: ModelBenchResult = {
        model: m.model,
        target: target.name,
        kernel: report.kernel ?? 'portable',
        instructionsPerInference: report.instructionsPerInference ?? NaN,
        cycles: report.cycles?.perInference ?? null,
        ms: report.cycles?.ms ?? null,
        flashBytes: report.flashBytes,
        ramBytes: report.ramBytes,
        bitExact: report.bitExact.qemu !== null && report.bitExact.qemu.equal === report.bitExact.qemu.total,
      };
      opts.onResult?.(r);
      results.push(r);
    }
  }
  return results;
}

export function formatModelsMarkdown(results: ModelBenchResult[]): string {
  const lines = [
    '| model | target | kernel | instructions / inference | cycles / inference | ms | flash B | RAM B | bit-exact |',
    '|---|---|---|---:|---:|---:|---:|---:|---|',
    ...results.map((r) => `| ${r.model} | ${r.target} | ${r.kernel} | ${r.instructionsPerInference} | ${r.cycles ?? '-'} | ${r.ms ?? '-'} | ${r.flashBytes} | ${r.ramBytes} | ${r.bitExact ? 'yes' : 'NO'} |`),
  ];
  return `${lines.join('\n')}\n`;
}
