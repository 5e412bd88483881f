/**
 * Cycle estimates of function calls from QEMU's exact execution trace:
 * `-singlestep -d exec,nochain` logs one line per executed instruction (one
 * instruction per translation block, no chaining), which is priced with the
 * core's timing model (cycles.ts) against the program's disassembly. Slow
 * (about 0.5 M instructions/s and 70 bytes of log per instruction), so it is
 * run only where asked for (the dense benchmark). Never combined with
 * -icount: icount expiries log blocks that never retire.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, createReadStream, openSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { BnncError } from '../errors.ts';
import type { Target } from '../targets/types.ts';
import { CallCoster, parseDisassembly, timingModelFor, type Cost } from './cycles.ts';
import { aptPackagesFor, runProgram } from './process.ts';
import { qemuArgs } from './qemu.ts';

/** `arm-none-eabi-gcc` -> `arm-none-eabi-objdump`. */
function objdumpOf(target: Target): string {
  return target.compiler.cc.replace(/gcc$/, 'objdump');
}

/**
 * A QEMU that failed before opening the log leaves the reader waiting in
 * open(): opening the FIFO for writing and closing it gives the reader its
 * end of file. ENXIO means no reader is waiting any more.
 */
function releaseReader(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // the reader has already finished
  }
}

const singleStepArgs = new Map<string, string[]>();

/** `-singlestep`, spelled `-accel tcg,one-insn-per-tb=on` from QEMU 8.1 on (the old spelling was removed in 9.0). */
async function oneInstructionPerBlock(system: string): Promise<string[]> {
  let args = singleStepArgs.get(system);
  if (!args) {
    const version = /version (\d+)\.(\d+)/.exec((await runProgram(system, ['--version'], { timeoutMs: 10_000 })).stdout);
    const newer = version !== null && (Number(version[1]) > 8 || (Number(version[1]) === 8 && Number(version[2]) >= 1));
    args = newer ? ['-accel', 'tcg,one-insn-per-tb=on'] : ['-singlestep'];
    singleStepArgs.set(system, args);
  }
  return args;
}

/** The PC of a trace line: "Trace 0: 0x7f.. [00800408/00000040/00000110/ff000201] sym". */
const TRACE_PC = /^Trace \d+: \S+ \[[0-9a-f]+\/([0-9a-f]+)\//;

/**
 * Runs `elf` under QEMU with an execution trace and returns, per function
 * name, the cost of each of its calls (in order). Null when the target's core
 * has no timing model.
 */
export async function traceCallCosts(target: Target, elf: string, functionNames: string[], timeoutMs = 120_000): Promise<Map<string, Cost[]> | null> {
  const model = timingModelFor(target.compiler.cflags);
  if (!model || !target.qemu) return null;
  const dis = await runProgram(objdumpOf(target), ['-d', elf], { timeoutMs, maxOutputBytes: 256 << 20 });
  const { insns, functions } = parseDisassembly(dis.stdout);
  const costers = new Map<string, CallCoster>();
  for (const name of functionNames) {
    const f = functions.get(name);
    if (!f) throw new BnncError(`function '${name}' is not in the program`, { file: elf, hint: 'the traced program must define it' });
    costers.set(name, new CallCoster(insns, functions, f.start, model));
  }
  // The log streams through a FIFO (70 bytes per instruction would fill the disk on a long run).
  const log = `${elf}.trace.fifo`;
  rmSync(log, { force: true });
  execFileSync('mkfifo', [log]);
  const args = qemuArgs(target.qemu, elf, 'plain', `${elf}.trace.out`);
  args.splice(args.indexOf('-kernel'), 0, ...(await oneInstructionPerBlock(target.qemu.system)), '-d', 'exec,nochain', '-D', log);
  try {
    const reading = (async () => {
      const lines = createInterface({ input: createReadStream(log), crlfDelay: Infinity });
      for await (const line of lines) {
        const m = TRACE_PC.exec(line);
        if (!m) continue;
        const pc = parseInt(m[1], 16);
        for (const c of costers.values()) c.step(pc);
      }
    })();
    const run = await runProgram(target.qemu.system, args, { timeoutMs, aptPackages: aptPackagesFor(target.qemu.system) });
    releaseReader(log);
    await reading;
    if (run.exitCode !== 0) {
      throw new BnncError(`the traced program exited with status ${run.exitCode}`, { file: elf, hint: `command: ${run.command}` });
    }
  } finally {
    rmSync(log, { force: true });
  }
  return new Map([...costers].map(([name, c]) => [name, c.result()]));
}
