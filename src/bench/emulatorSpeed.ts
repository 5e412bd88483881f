/**
 * Emulator throughput against onnxruntime's: samples per second of the TS
 * emulator on the lowered model and of onnxruntime-node on the float graph
 * (the verify reference: graph optimisations disabled, one sample per run,
 * every probed tensor returned), over the same samples, in wall time and in
 * CPU time (process.cpuUsage: the machine may be shared).
 */
import { join } from 'node:path';
import { loadDataset } from '../data/index.ts';
import { emulate } from '../emulator/index.ts';
import { loadModel } from '../importers/index.ts';
import { runPasses } from '../passes/index.ts';
import { createReference } from '../reference/index.ts';
import { loadOnnxRuntime } from '../reference/onnxruntime.ts';
import { PROJECT_ROOT } from '../version.ts';
import { deviceInputs } from '../verify/inputs.ts';

export interface EmulatorSpeed {
  model: string;
  samples: number;
  /** Emulator samples per second: wall time and CPU time of this process. */
  emulatorPerSecond: number;
  emulatorPerCpuSecond: number;
  /** onnxruntime samples per second (null when onnxruntime-node is not installed). */
  onnxruntimePerSecond: number | null;
  onnxruntimePerCpuSecond: number | null;
}

interface Timing {
  wall: number;
  cpu: number;
}

async function timed(work: () => Promise<void> | void): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await work();
  const cpu = process.cpuUsage(cpu0);
  return { wall: (performance.now() - wall0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** The MNIST MLP and CNN over the bundled test images (the first `samples`, after a warm-up pass). */
export async function benchEmulatorSpeed(opts: { samples?: number } = {}): Promise<EmulatorSpeed[]> {
  const data = join(PROJECT_ROOT, 'examples', 'mnist-mlp', 'data');
  const results: EmulatorSpeed[] = [];
  for (const name of ['mnist-mlp', 'mnist-cnn']) {
    const model = loadModel(join(PROJECT_ROOT, 'examples', name, 'model.onnx'));
    const lowered = runPasses(model);
    const set = loadDataset(data, { limit: opts.samples ?? 1000 });
    const inputs = deviceInputs(lowered, set);
    const n = model.input.features;
    const runEmulator = () => { for (const x of inputs) emulate(lowered, x); };
    runEmulator();
    const emu = await timed(runEmulator);
    let ort: Timing | null = null;
    if ('ort' in loadOnnxRuntime()) {
      const reference = await createReference(model, lowered, 'onnxruntime');
      const runReference = async () => { for (let s = 0; s < set.samples; s++) await reference.run(set.inputs.subarray(s * n, (s + 1) * n)); };
      await runReference();
      ort = await timed(runReference);
    }
    const perSecond = (t: number) => Math.round(set.samples / t);
    results.push({
      model: name, samples: set.samples,
      emulatorPerSecond: perSecond(emu.wall), emulatorPerCpuSecond: perSecond(emu.cpu),
      onnxruntimePerSecond: ort && perSecond(ort.wall), onnxruntimePerCpuSecond: ort && perSecond(ort.cpu),
    });
  }
  return results;
}

export function formatEmulatorSpeedMarkdown(results: EmulatorSpeed[]): string {
  const ratio = (a: number, b: number | null) => (b ? (a / b).toFixed(2) : '-');
  const lines = [
    '| model | samples | emulator / s (wall) | emulator / CPU s | onnxruntime / s (wall) | onnxruntime / CPU s | emulator / onnxruntime (CPU) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.model} | ${r.samples} | ${r.emulatorPerSecond} | ${r.emulatorPerCpuSecond} | ${r.onnxruntimePerSecond ?? '-'} `
      + `| ${r.onnxruntimePerCpuSecond ?? '-'} | ${ratio(r.emulatorPerCpuSecond, r.onnxruntimePerCpuSecond)} |`),
  ];
  return `${lines.join('\n')}\n`;
}
