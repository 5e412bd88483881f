/** bnnc passes: the pass pipeline in order. */
import type { Command } from 'commander';
import { PASSES } from '../../passes/index.ts';
import type { CliIo } from '../io.ts';

export function registerPasses(program: Command, io: CliIo): void {
  program.command('passes').description('list the passes in the order they run').action(() => {
    PASSES.forEach((p, i) => io.out(`${i + 1}. ${p.name.padEnd(24)} ${p.description}`));
  });
}
