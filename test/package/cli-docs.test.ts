/**
 * docs/cli.md is every command's --help, generated from commander: the test
 * fails when an option is added or changed without the page
 * (BNNC_UPDATE_DOCS=1 rewrites it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';

const PAGE = 'docs/cli.md';

function helpPage(): string {
  const out: string[] = [];
  const program = buildProgram({ out: (l) => out.push(l), err: (l) => out.push(l) }, () => {});
  // The same page whatever the terminal's width.
  for (const cmd of [program, ...program.commands]) cmd.configureHelp({ helpWidth: 100 });
  const section = (title: string, text: string) => `## ${title}\n\n\`\`\`\n${text.trimEnd()}\n\`\`\`\n`;
  const parts = [
    '# bnnc command reference\n',
    'Every command\'s `--help`, generated from the CLI itself (`test/package/cli-docs.test.ts` checks that this page',
    'matches; `BNNC_UPDATE_DOCS=1 npx vitest run test/package/cli-docs.test.ts` regenerates it). The README explains',
    'the commands with real output; this page lists every option.\n',
    section('bnnc', program.helpInformation()),
  ];
  for (const cmd of program.commands) parts.push(section(`bnnc ${cmd.name()}`, cmd.helpInformation()));
  return `${parts.join('\n')}`;
}

describe('docs/cli.md', () => {
  it('is every command\'s --help', () => {
    const page = helpPage();
    if (process.env.BNNC_UPDATE_DOCS) writeFileSync(PAGE, page);
    expect(readFileSync(PAGE, 'utf8')).toBe(page);
  });
});
