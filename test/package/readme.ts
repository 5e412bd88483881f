/**
 * README.md as executable documentation: its fenced blocks, and the markers
 * that say what a test does with each (`<!-- readme: ... -->` on the line
 * before a block).
 */
import { readFileSync } from 'node:fs';

export interface ReadmeBlock {
  /** The marker's words after "readme:", e.g. "run", "skip flash needs a board", "api-example". */
  marker: string | null;
  lang: string;
  body: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

export function readmeBlocks(path = 'README.md'): ReadmeBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && lines[end] !== '```') end++;
    const prev = i > 0 ? /^<!-- readme: (.*) -->$/.exec(lines[i - 1]) : null;
    blocks.push({ marker: prev ? prev[1].trim() : null, lang: open[1], body: lines.slice(i + 1, end).join('\n'), line: i + 1 });
    i = end;
  }
  return blocks;
}
