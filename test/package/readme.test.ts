/**
 * README.md as executable documentation. Every fenced block carries a marker
 * on the line before it (`<!-- readme: ... -->`):
 *   run                   lines starting with "$ bnnc " are commands, the lines after each its output;
 *                         a "..." line stands for any number of lines left out of the README;
 *   output of bnnc demo   the block is what `bnnc demo` prints (npm run demo);
 *   api-example           the library example (run by package.test.ts against the packed package);
 *   not run: <why>        shown only (a board, system packages, installs).
 * Commands ("$ bnnc ..." or "$ npx bnnc ...") run in-process through the CLI's
 * main() from the repository root; absolute paths of the repository print as
 * <repo>. The examples' READMEs are checked the same way for their "run"
 * blocks (their other blocks need no marker).
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadTarget } from '../../src/targets/load.ts';
import { toolchainSkipReason } from '../../src/toolchain/requireToolchains.ts';
import { readmeBlocks, type ReadmeBlock } from './readme.ts';

const REPO = resolve('.');

interface ShownCommand {
  args: string[];
  expected: string[];
  line: number;
}

const COMMAND = /^\$ (?:npx )?bnnc (.*)$/;

function commandsOf(file: string, block: ReadmeBlock): ShownCommand[] {
  const commands: ShownCommand[] = [];
  block.body.split('\n').forEach((text, i) => {
    const command = COMMAND.exec(text);
    if (command) commands.push({ args: command[1].trim().split(/\s+/), expected: [], line: block.line + 1 + i });
    else if (commands.length > 0) commands.at(-1)!.expected.push(text);
    else throw new Error(`${file} line ${block.line + 1 + i}: output before any "$ bnnc" command`);
  });
  return commands;
}

async function runBnnc(args: string[]): Promise<{ code: number; lines: string[] }> {
  const out: string[] = [];
  const code = await main(['node', 'bnnc', ...args], { out: (l) => out.push(l), err: (l) => out.push(l) });
  return { code, lines: out.join('\n').split(REPO).join('<repo>').split('\n') };
}

/** Compares printed lines with the README's, where a "..." line matches any run of lines. */
function matchesShown(actual: string[], shown: string[]): boolean {
  const match = (a: number, s: number): boolean => {
    if (s === shown.length) return a === actual.length;
    if (shown[s] === '...') {
      for (let k = a; k <= actual.length; k++) if (match(k, s + 1)) return true;
      return false;
    }
    return a < actual.length && actual[a] === shown[s] && match(a + 1, s + 1);
  };
  return match(0, 0);
}

function skipReason(args: string[]): string | null {
  const t = args.indexOf('--target');
  return t >= 0 ? toolchainSkipReason(loadTarget(args[t + 1]), { run: true }) : null;
}

const blocks = readmeBlocks();

describe('README.md', () => {
  it('marks every code block (run, output of bnnc demo, api-example or not run: why)', () => {
    const unmarked = blocks.filter((b) => !b.marker || !/^(run|output of bnnc demo|api-example|not run: .+)$/.test(b.marker));
    expect(unmarked.map((b) => `line ${b.line}: ${b.marker ?? 'no marker'}`)).toEqual([]);
    expect(blocks.filter((b) => b.marker === 'run').length).toBeGreaterThanOrEqual(5);
  });

  it('has no path outside the repository', () => {
    // A path climbing out of the clone (../<anything>) works only on the machine that wrote it.
    expect(blocks.filter((b) => /(^|[\s='"(])\.\.\//m.test(b.body)).map((b) => b.line)).toEqual([]);
  });

  for (const block of blocks.filter((b) => b.marker === 'run')) {
    for (const cmd of commandsOf('README.md', block)) {
      const skip = skipReason(cmd.args);
      it.skipIf(skip !== null)(`line ${cmd.line}: bnnc ${cmd.args.join(' ')}${skip ? ` (${skip})` : ''}`, async () => {
        const { code, lines } = await runBnnc(cmd.args);
        if (!matchesShown(lines, cmd.expected)) expect(lines.join('\n')).toBe(cmd.expected.join('\n'));
        expect(code).toBe(0);
      });
    }
  }

  it('shows what `bnnc demo` prints', async () => {
    const shown = blocks.find((b) => b.marker === 'output of bnnc demo')!;
    const { code, lines } = await runBnnc(['demo']);
    expect(lines.join('\n')).toBe(shown.body);
    expect(code).toBe(0);
  });
});

const EXAMPLE_READMES = ['examples/wearable-motion/README.md'];

describe.each(EXAMPLE_READMES)('%s', (file) => {
  const runBlocks = readmeBlocks(file).filter((b) => b.marker === 'run');
  it('has command blocks that are run', () => expect(runBlocks.length).toBeGreaterThan(0));
  for (const block of runBlocks) {
    for (const cmd of commandsOf(file, block)) {
      it(`line ${cmd.line}: bnnc ${cmd.args.join(' ')}`, async () => {
        const { code, lines } = await runBnnc(cmd.args);
        if (!matchesShown(lines, cmd.expected)) expect(lines.join('\n')).toBe(cmd.expected.join('\n'));
        expect(code).toBe(0);
      });
    }
  }
});
