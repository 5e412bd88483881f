/**
 * Cycle estimates: a per-core timing model applied to the exact instruction
 * stream QEMU executed (src/toolchain/trace.ts). QEMU counts instructions,
 * not cycles; the models below price each executed instruction with the
 * instruction timings of the core's Technical Reference Manual, zero wait
 * states. What they ignore (docs/cycles.md): flash wait states and the flash
 * accelerator or cache in front of it, bus contention (DMA, the other core),
 * interrupts, and the alignment effects inside the "P" range below.
 *
 * Cortex-M4, Arm Cortex-M4 Processor TRM (100166_0001_00), table 3-1 and
 * section 3.3.2 "Load/store timings":
 *   data processing, MUL/MLA, UMULL/SMULL/UMLAL/SMLAL, USAD8/USADA8   1
 *   LDR/STR single (any width)                                          2, but 1 when it follows
 *     a single load (neighbouring loads and stores pipeline) and does not address through that load's result
 *   LDRD/STRD 1+2; LDM/STM/PUSH/POP 1+N (N registers)
 *   SDIV/UDIV 2 to 12 (priced 12, the upper bound)
 *   any instruction that redirects the PC (taken B/Bcc/CBZ/CBNZ, BL, BX, BLX, POP {..pc}, LDR pc)
 *     + P, the pipeline refill, "1 to 3 depending on the alignment and width of the target
 *     instruction": priced P = 2.
 * Cortex-M0+, Arm Cortex-M0+ Processor TRM (DDI 0484C), table 3.1:
 *   data processing, MULS (the single-cycle multiplier, as on the RP2040)   1
 *   LDR/STR single 2; LDM/STM/PUSH 1+N; POP 1+N, 3+N with PC
 *   B/Bcc taken 2 (not taken 1), BL 3, BX/BLX 2, MOV/ADD to PC 2
 * Other cores (RISC-V, Xtensa, AVR, Cortex-M7/M33/M55) have no model: their
 * cycles are reported as null.
 */

/** Milliseconds of `cycles` at `clockHz`, to 3 significant digits. */
export function millis(cycles: number, clockHz: number): number {
  return Number(((cycles / clockHz) * 1000).toPrecision(3));
}

/** One instruction of the program, from the disassembly. */
export interface Insn {
  pc: number;
  /** Bytes (2 or 4 on Thumb). */
  size: number;
  /** Lower case, width suffix (.w/.n) removed: "ldmia", "beq", "push". */
  mnemonic: string;
  operands: string;
}

export interface TimingModel {
  /** Core family the model prices ("cortex-m4"). */
  core: string;
  /**
   * Cycles of `insn`; `redirected` when the next executed instruction is not
   * the one after it (a taken branch, a call, a return); `prev` the
   * instruction executed before it.
   */
  cycles(insn: Insn, redirected: boolean, prev: Insn | undefined): number;
}

const CONDITIONS = ['eq', 'ne', 'cs', 'hs', 'cc', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al'];

/** The mnemonic without a condition code (for branches: "bne" -> "b"). */
function branchBase(m: string): string {
  if (m.length === 3 && m[0] === 'b' && CONDITIONS.includes(m.slice(1))) return 'b';
  return m;
}

/** Registers in a register list operand ("{r4, r5, lr}"). */
export function registerCount(operands: string): number {
  const list = /\{([^}]*)\}/.exec(operands);
  if (!list) return 1;
  let n = 0;
  for (const part of list[1].split(',')) {
    const range = /r(\d+)\s*-\s*r(\d+)/.exec(part);
    n += range ? Number(range[2]) - Number(range[1]) + 1 : 1;
  }
  return n;
}

function isMultiple(m: string): boolean {
  return m.startsWith('ldm') || m.startsWith('stm') || m === 'push' || m === 'pop';
}

/** A single load or store (LDR, LDRB, STRH, ...), not LDM/LDRD/LDREX. */
function isSingleLoadStore(m: string): boolean {
  return /^(ldr|str)(b|h|sb|sh)?(t)?$/.test(m);
}

/** The destination register of a load ("ldr r3, [r1, #4]" -> "r3"). */
function firstRegister(operands: string): string {
  return operands.split(',')[0].trim();
}

/** The address part of a load or store ("[r1, #4]"); empty for a literal. */
function addressPart(operands: string): string {
  const i = operands.indexOf('[');
  return i < 0 ? '' : operands.slice(i);
}

function usesRegister(text: string, reg: string): boolean {
  return new RegExp(`(^|[^a-z0-9])${reg}([^a-z0-9]|$)`).test(text);
}

const CORTEX_M4_REFILL = 2;

export const cortexM4: TimingModel = {
  core: 'cortex-m4',
  cycles(insn, redirected, prev) {
    const m = insn.mnemonic;
    let c = 1;
    if (isMultiple(m)) c = 1 + registerCount(insn.operands);
    else if (m.startsWith('ldrd') || m.startsWith('strd')) c = 3;
    else if (m === 'sdiv' || m === 'udiv') c = 12;
    else if (isSingleLoadStore(m)) {
      const pipelined = prev !== undefined && prev.mnemonic.startsWith('ldr') && isSingleLoadStore(prev.mnemonic)
        && !usesRegister(addressPart(insn.operands), firstRegister(prev.operands));
      c = pipelined ? 1 : 2;
    }
    return redirected ? c + CORTEX_M4_REFILL : c;
  },
};

export const cortexM0Plus: TimingModel = {
  core: 'cortex-m0plus',
  cycles(insn, redirected) {
    const m = branchBase(insn.mnemonic);
    if (m === 'bl') return 3;
    if (m === 'pop') return 1 + registerCount(insn.operands) + (redirected ? 2 : 0);
    if (isMultiple(m)) return 1 + registerCount(insn.operands);
    if (isSingleLoadStore(m)) return 2;
    if (m === 'b' || m === 'bx' || m === 'blx') return redirected ? 2 : 1;
    return redirected ? 2 : 1; // MOV/ADD to PC
  },
};

const MODELS: Record<string, TimingModel> = {
  'cortex-m4': cortexM4,
  'cortex-m0plus': cortexM0Plus,
  'cortex-m0': cortexM0Plus,
};

/** The timing model of a target's core (from -mcpu= in its compiler flags), or null when there is none. */
export function timingModelFor(cflags: readonly string[]): TimingModel | null {
  const cpu = cflags.find((f) => f.startsWith('-mcpu='))?.slice('-mcpu='.length);
  return cpu ? MODELS[cpu] ?? null : null;
}

/**
 * Parses `objdump -d` output (raw bytes shown) into instructions by address and
 * function entry points by name.
 */
export function parseDisassembly(text: string): { insns: Map<number, Insn>; functions: Map<string, { start: number; end: number }> } {
  const insns = new Map<number, Insn>();
  const functions = new Map<string, { start: number; end: number }>();
  let current: { start: number; end: number } | null = null;
  for (const line of text.split('\n')) {
    const fn = /^([0-9a-f]+) <([^>]+)>:$/.exec(line);
    if (fn) {
      current = { start: parseInt(fn[1], 16), end: parseInt(fn[1], 16) };
      functions.set(fn[2], current);
      continue;
    }
    const ins = /^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*\t(\S+)\s*(.*)$/.exec(line);
    if (!ins) continue;
    const pc = parseInt(ins[1], 16);
    const size = ins[2].replace(/ /g, '').length / 2;
    const mnemonic = ins[3].toLowerCase().replace(/\.(w|n)$/, '');
    insns.set(pc, { pc, size, mnemonic, operands: ins[4].replace(/\s*[@;].*$/, '') });
    if (current) current.end = Math.max(current.end, pc + size);
  }
  return { insns, functions };
}

/** Instructions and modelled cycles of one stretch of execution. */
export interface Cost {
  instructions: number;
  cycles: number;
}

/**
 * Prices the calls of a function in a stream of executed PCs: each call runs
 * from the function's entry until execution is back in its caller (the
 * function that held the PC before the entry). Returns one Cost per call, in
 * order.
 */
export class CallCoster {
  private readonly calls: Cost[] = [];
  private open: Cost | null = null;
  private caller: { start: number; end: number } | null = null;
  private prevPc = -1;
  /** The instruction at prevPc (priced once the next PC shows whether it redirected) and the one before it. */
  private last: Insn | undefined;
  private beforeLast: Insn | undefined;

  constructor(
    private readonly insns: Map<number, Insn>,
    private readonly functions: Map<string, { start: number; end: number }>,
    private readonly entry: number,
    private readonly model: TimingModel,
  ) {
    this.handlers = [...functions].filter(([name]) => name.endsWith('_Handler')).map(([, f]) => f);
  }

  /**
   * Feeds the next executed PC. Exception handlers (functions named *_Handler:
   * the harness's SysTick wrap counter, whose instructions the -icount figures
   * also leave out) and the exception return are skipped as if the interrupt
   * had not happened.
   */
  step(pc: number): void {
    if (this.inHandler(pc)) {
      this.interrupted = true;
      return;
    }
    if (this.interrupted) {
      this.interrupted = false;
      // QEMU logs a block before it checks for a pending interrupt: the instruction logged just before the
      // handler ran only once it returned, and is logged again.
      if (pc === this.prevPc) return;
    }
    if (this.open) {
      const last = this.last;
      // A PC outside the disassembly (never seen in practice) costs one cycle.
      this.open.cycles += last ? this.model.cycles(last, pc !== last.pc + last.size, this.beforeLast) : 1;
      this.open.instructions += 1;
      if (this.caller && pc >= this.caller.start && pc < this.caller.end) {
        this.calls.push(this.open);
        this.open = null;
      }
    }
    if (!this.open && pc === this.entry) {
      this.open = { instructions: 0, cycles: 0 };
      this.caller = this.functionAt(this.prevPc);
    }
    this.beforeLast = this.last;
    this.last = this.insns.get(pc);
    this.prevPc = pc;
  }

  private readonly handlers: Array<{ start: number; end: number }>;
  private interrupted = false;

  private inHandler(pc: number): boolean {
    // 0xFFFFFFxx: the EXC_RETURN value a Cortex-M handler returns to (QEMU logs it as a block)
    if (pc >= 0xffffff00) return true;
    return this.handlers.some((f) => pc >= f.start && pc < f.end);
  }

  private functionAt(pc: number): { start: number; end: number } | null {
    for (const f of this.functions.values()) if (pc >= f.start && pc < f.end) return f;
    return null;
  }

  /** The finished calls. */
  result(): Cost[] {
    return this.calls;
  }
}
