/**
 * Running a built program on its target, whatever that means for the
 * target: the host runs it directly, the others under QEMU.
 */
import { BnncError } from '../errors.ts';
import type { Target } from '../targets/types.ts';
import { runProgram } from './process.ts';
import { runQemu, type QemuResult, type QemuRunOptions } from './qemu.ts';

export async function runOnTarget(target: Target, program: string, opts: QemuRunOptions = {}): Promise<QemuResult> {
  if (target.arch === 'host') {
    const r = await runProgram(program, [], { timeoutMs: opts.timeoutMs ?? 30_000 });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, command: r.command };
  }
  if (!target.qemu) {
    throw new BnncError(`target '${target.name}' cannot run programs here (no QEMU machine)`, {
      file: target.file, where: 'qemu', hint: 'build it for a real board (arduino) or pick a target with a QEMU machine',
    });
  }
  return runQemu(target, program, opts);
}
