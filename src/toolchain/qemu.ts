/**
 * Running a harness program under QEMU with the machine, CPU and -icount
 * shift of the target's qemu block (targets/*.json; counting: harness/README.md). Semihosting output goes to a file chardev that
 * is read after the run: a stdio chardev drops output when the pipe to Node is
 * full (seen on the Xtensa machine after about 1 KB). QEMU's own messages stay
 * on stderr. The guest's main() return value is QEMU's exit status.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { BnncError } from '../errors.ts';
import type { QemuSpec, Target } from '../targets/types.ts';
import { aptPackagesFor, runProgram } from './process.ts';

/**
 * icount: deterministic virtual time (-icount shift=N,sleep=off), so the
 *         harness counter gives exact instruction counts;
 * plain:  no -icount (fastest); counter values follow host time.
 */
export type QemuMode = 'icount' | 'plain';

export interface QemuRunOptions {
  /** Default 30 s. */
  timeoutMs?: number;
  /** Default 'icount'. */
  mode?: QemuMode;
}

export interface QemuResult {
  /** Everything the guest printed through hal_puts. */
  stdout: string;
  /** QEMU's own messages (warnings). */
  stderr: string;
  /** main()'s return value; 99 = Cortex-M fault, 98 = RISC-V trap (see harness/). */
  exitCode: number;
  /** The command that ran, for messages. */
  command: string;
}

/** Console and semihosting: guest output to `output` (a file), no window, no monitor, no UART. */
function semihostingTo(output: string): string[] {
  return ['-display', 'none', '-monitor', 'none', '-serial', 'none', '-chardev', `file,id=bnnc_semihost,path=${output}`];
}

/** The QEMU arguments for one run (without the executable); the guest's output goes to the file `output`. */
export function qemuArgs(qemu: QemuSpec, elf: string, mode: QemuMode, output = `${elf}.out`): string[] {
  const args = ['-M', qemu.machine];
  if (qemu.harness === 'riscv') args.push('-bios', 'none'); // reset jumps straight to 0x80000000
  if (qemu.cpu) args.push('-cpu', qemu.cpu);
  args.push(...semihostingTo(output));
  args.push('-semihosting-config', 'enable=on,target=native,chardev=bnnc_semihost');
  if (mode === 'icount') args.push('-icount', `shift=${qemu.icountShift},sleep=off`);
  args.push('-kernel', elf);
  return args;
}

/** Run `elf` (built by crossBuild for `target`) under QEMU. A non-zero guest status is returned, not thrown. */
export async function runQemu(target: Target, elf: string, opts: QemuRunOptions = {}): Promise<QemuResult> {
  const qemu = target.qemu;
  if (!qemu) {
    throw new BnncError(`target '${target.name}' has no QEMU machine`, {
      file: target.file, where: 'qemu',
      hint: target.arch === 'host' ? 'run the host program directly (runOnTarget does)' : 'this target is compile-only',
    });
  }
  const output = `${elf}.out`;
  rmSync(output, { force: true });
  const guestOutput = () => (existsSync(output) ? readFileSync(output, 'utf8') : '');
  let r: Awaited<ReturnType<typeof runProgram>>;
  try {
    r = await runProgram(qemu.system, qemuArgs(qemu, elf, opts.mode ?? 'icount', output), {
      timeoutMs: opts.timeoutMs ?? 30_000,
      aptPackages: aptPackagesFor(qemu.system),
    });
  } catch (e) {
    // A hung guest: say what it printed before it stopped making progress.
    if (e instanceof BnncError && guestOutput()) {
      throw new BnncError(`${e.message}\nthe program printed before that:\n${guestOutput().split('\n').slice(-20).join('\n')}`, e.context);
    }
    throw e;
  }
  const guest = guestOutput();
  const failure = qemuFailure(qemu.system, r.stderr);
  if (r.exitCode !== 0 && failure) {
    throw new BnncError(`QEMU could not run the program: ${failure}`, {
      file: elf, hint: `command: ${r.command}`,
    });
  }
  return { stdout: guest + r.stdout, stderr: r.stderr, exitCode: r.exitCode, command: r.command };
}

/**
 * QEMU's own fatal errors ("qemu-system-arm: -M foo: unsupported machine
 * type") exit with status 1, like a guest returning 1. They are told apart by
 * the message QEMU prints; warnings do not count.
 */
function qemuFailure(system: string, stderr: string): string | null {
  const line = stderr.split('\n').find((l) => l.startsWith(`${system}: `) && !/: warning: /.test(l));
  return line ?? null;
}
