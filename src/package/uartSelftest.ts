/**
 * Self-test firmware for a bare-metal board without Arduino: the generated C
 * plus templates/c/uart_selftest_main.c and the harness's polled UART driver,
 * printing the same line as the Arduino self-test sketch, forever. Today the
 * driver exists for the STM32F405's USART1 (harness/arm/uart_stm32f4.c), which
 * QEMU's netduinoplus2 machine models, so `bnnc monitor` can be tested on a
 * real serial device (a QEMU pseudo-terminal) without a board.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedFile } from '../codegen/generate.ts';
import { modelProvenance } from '../codegen/banner.ts';
import { render } from '../codegen/templates.ts';
import { BnncError } from '../errors.ts';
import type { LoweredModel } from '../ir/types.ts';
import type { Target } from '../targets/types.ts';
import { crossBuild, HARNESS_DIR, type BuildResult } from '../toolchain/cross.ts';

/** QEMU machines whose UART the harness drives, with the driver source. */
const UART_DRIVERS: Record<string, string> = {
  netduinoplus2: 'arm/uart_stm32f4.c',
};

/** Pause between two self-test lines (QEMU runs SysTick on host time without -icount). */
const REPEAT_MS = 250;

/**
 * Builds the firmware from `files` (generateC's output, possibly edited by the
 * caller) for `target` into `outDir`.
 */
export async function buildUartSelftest(model: LoweredModel, target: Target, name: string, files: GeneratedFile[], outDir: string): Promise<BuildResult> {
  const driver = target.qemu ? UART_DRIVERS[target.qemu.machine] : undefined;
  if (!driver) {
    throw new BnncError(`no UART driver for target '${target.name}'`, {
      expected: `a target on one of the QEMU machines ${Object.keys(UART_DRIVERS).join(', ')}`,
    });
  }
  const src = join(outDir, 'src');
  mkdirSync(src, { recursive: true });
  const main: GeneratedFile = {
    name: 'bnnc_uart_selftest_main.c',
    content: render('c/uart_selftest_main.c', 'bnnc_uart_selftest_main.c', modelProvenance(model), {
      name, upper: name.toUpperCase(), header: `${name}.h`, repeatMs: REPEAT_MS,
    }),
  };
  for (const f of [...files, main]) writeFileSync(join(src, f.name), f.content);
  return crossBuild(target, {
    sources: [...files, main].filter((f) => f.name.endsWith('.c')).map((f) => join(src, f.name)).concat(join(HARNESS_DIR, driver)),
    includeDirs: [src, join(HARNESS_DIR, 'arm')],
    outDir: join(outDir, 'build'),
    name: `${name}_uart_selftest`,
  });
}
