/** bnnc targets: the target descriptions in targets/*.json and whether their toolchains are here. */
import type { Command } from 'commander';
import { selectKernel } from '../../codegen/kernels.ts';
import { listTargets } from '../../targets/load.ts';
import { toolchainStatus } from '../../toolchain/cross.ts';
import type { CliIo } from '../io.ts';
import { formatTable } from '../table.ts';

export function registerTargets(program: Command, io: CliIo): void {
  program.command('targets').description('list the targets, their QEMU machines, kernels and toolchain status').action(() => {
    const rows = listTargets().map((t) => {
      const status = toolchainStatus(t);
      return [t.name, t.arch, t.qemu ? t.qemu.machine : '-', selectKernel(t), t.budget ? `${t.budget.flashBytes / 1024}K/${t.budget.ramBytes / 1024}K` : '-',
        status.available ? 'yes' : `no (apt-get install ${status.aptPackages.join(' ')})`];
    });
    io.out(formatTable(['target', 'arch', 'QEMU machine', 'kernel', 'flash/RAM', 'toolchain here'], rows));
  });
}
