/**
 * The cycle timing models (src/toolchain/cycles.ts) on hand-made instruction
 * streams: each rule of the Cortex-M4 and Cortex-M0+ TRM tables that bnnc's
 * kernels exercise, and the call boundaries of CallCoster.
 */
import { describe, expect, it } from 'vitest';
import { CallCoster, cortexM0Plus, cortexM4, parseDisassembly, registerCount, timingModelFor, type Insn } from '../../src/toolchain/cycles.ts';

const insn = (mnemonic: string, operands = '', pc = 0, size = 2): Insn => ({ pc, size, mnemonic, operands });

describe('timing models', () => {
  it('counts register lists, ranges included', () => {
    expect(registerCount('r0!, {r4, r5, r6, r7}')).toBe(4);
    expect(registerCount('{r2, r4-r12, lr}')).toBe(11);
  });

  it('prices the Cortex-M4: LDM 1+N, pipelined neighbouring loads, refills on redirects', () => {
    expect(cortexM4.cycles(insn('eor', 'r7, r7, r11'), false, undefined)).toBe(1);
    expect(cortexM4.cycles(insn('ldmia', 'r0!, {r7, r8, r9, r10}'), false, undefined)).toBe(5);
    expect(cortexM4.cycles(insn('ldr', 'r5, [r0], #4'), false, insn('eor', 'r5, r5, r6'))).toBe(2);
    expect(cortexM4.cycles(insn('ldr', 'r6, [r1], #4'), false, insn('ldr', 'r5, [r0], #4'))).toBe(1);
    // the address comes from the previous load: no pipelining
    expect(cortexM4.cycles(insn('ldr', 'r6, [r5, #4]'), false, insn('ldr', 'r5, [r0], #4'))).toBe(2);
    expect(cortexM4.cycles(insn('bne', '1b'), true, undefined)).toBe(3);
    expect(cortexM4.cycles(insn('bne', '1b'), false, undefined)).toBe(1);
    expect(cortexM4.cycles(insn('pop', '{r4, r5, pc}'), true, undefined)).toBe(6);
    expect(cortexM4.cycles(insn('umull', 'r0, r1, r2, r3'), false, undefined)).toBe(1);
  });

  it('prices the Cortex-M0+: loads 2, branches 2 taken and 1 not, BL 3, POP with PC 3+N', () => {
    expect(cortexM0Plus.cycles(insn('ldr', 'r3, [r1, #4]'), false, insn('ldr', 'r2, [r1]'))).toBe(2);
    expect(cortexM0Plus.cycles(insn('ldmia', 'r0!, {r4, r5, r6}'), false, undefined)).toBe(4);
    expect(cortexM0Plus.cycles(insn('bcc', '1b'), true, undefined)).toBe(2);
    expect(cortexM0Plus.cycles(insn('bcc', '1b'), false, undefined)).toBe(1);
    expect(cortexM0Plus.cycles(insn('bl', 'foo', 0, 4), true, undefined)).toBe(3);
    expect(cortexM0Plus.cycles(insn('pop', '{r4, pc}'), true, undefined)).toBe(5);
    expect(cortexM0Plus.cycles(insn('muls', 'r0, r1'), false, undefined)).toBe(1);
  });

  it('picks the model from -mcpu, none for other cores', () => {
    expect(timingModelFor(['-mcpu=cortex-m4', '-mthumb'])).toBe(cortexM4);
    expect(timingModelFor(['-mcpu=cortex-m0plus'])).toBe(cortexM0Plus);
    expect(timingModelFor(['-mcpu=cortex-m55'])).toBeNull();
    expect(timingModelFor(['-march=rv32imc'])).toBeNull();
  });
});

describe('CallCoster', () => {
  const { insns, functions } = parseDisassembly([
    '00000100 <caller>:',
    '     100:\tf000 f802 \tbl\t108 <leaf>',
    '     104:\t2000      \tmovs\tr0, #0',
    '     106:\t4770      \tbx\tlr',
    '00000108 <leaf>:',
    '     108:\tc803      \tldmia\tr0!, {r0, r1}',
    '     10a:\t4770      \tbx\tlr',
    '00000200 <SysTick_Handler>:',
    '     200:\t4770      \tbx\tlr',
  ].join('\n'));

  it('parses sizes and mnemonics', () => {
    expect(insns.get(0x100)).toEqual({ pc: 0x100, size: 4, mnemonic: 'bl', operands: '108 <leaf>' });
    expect(functions.get('leaf')).toEqual({ start: 0x108, end: 0x10c });
  });

  it('prices each call from the entry until execution is back in the caller', () => {
    const coster = new CallCoster(insns, functions, 0x108, cortexM4);
    // interrupts are left out, with the instruction QEMU logged before the handler and again after it
    for (const pc of [0x100, 0x108, 0x200, 0xfffffff9, 0x108, 0x10a, 0x104, 0x106, 0x100, 0x108, 0x200, 0x10a, 0x104]) coster.step(pc);
    // ldmia 1+2, bx lr 1+P (P = 2)
    expect(coster.result()).toEqual([{ instructions: 2, cycles: 6 }, { instructions: 2, cycles: 6 }]);
  });
});
