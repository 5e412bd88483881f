/**
 * The CLI's own output as a terminal sees it (the real bin, child processes):
 * control characters from model names are escaped, and a reader that closes
 * the pipe early (`| head -1`) causes no EPIPE stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { terminalSafe } from '../../src/cli/terminal.ts';
import { onnx } from '../../src/importers/onnx/proto.ts';
import { binaryMlp } from '../helpers/onnxBuilder.ts';

const BIN = resolve(import.meta.dirname, '../../bin/bnnc.mjs');
const dir = mkdtempSync(join(tmpdir(), 'bnnc-terminal-'));
const HOSTILE = '\u001b]0;owned\u0007\u001b[2J\u001b[31mred\r\u202egnp.exe';

/** A small binary MLP whose graph is called `name`. */
function namedModel(name: string): Uint8Array {
  const model = onnx.ModelProto.decode(binaryMlp({ widths: [16, 8, 3], seed: 3, input: 'uint8' }));
  model.graph!.name = name;
  return onnx.ModelProto.encode(model).finish();
}

function bnnc(args: string[], closeStdout = false): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    if (closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => done({ code, out, err }));
  });
}

describe('terminal output', () => {
  it('terminalSafe escapes C0/C1 controls and bidi controls, keeps newlines, tabs and other Unicode', () => {
    expect(terminalSafe('a\u001b[31mb\tc\nd\u0085e\u202ef\u00e9')).toBe('a\\u001b[31mb\tc\nd\\u0085e\\u202ef\u00e9');
  });

  it('inspect and verify print a model name with escape codes escaped; --json keeps its value', async () => {
    const model = join(dir, 'hostile.onnx');
    writeFileSync(model, namedModel(HOSTILE));
    const text = await bnnc(['inspect', model]);
    expect(text.code).toBe(0);
    expect(text.out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    expect(text.out).toContain('\\u001b]0;owned\\u0007');
    const json = await bnnc(['inspect', model, '--json']);
    expect(JSON.parse(json.out).model).toBe(HOSTILE);
    // Escape codes only: newlines and bidi controls in generated C are the banner builder's concern (issue 10 item 1).
    const plainer = join(dir, 'escapes.onnx');
    writeFileSync(plainer, namedModel('\u001b[2J\u001b[31mred\u0007'));
    const data = join(dir, 'data.csv');
    writeFileSync(data, `${Array.from({ length: 16 }, (_, i) => i).join(',')}\n`);
    const verify = await bnnc(['verify', plainer, '--data', data, '--no-sanitize', '--no-reference']);
    expect(verify.code).toBe(0);
    expect(verify.out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    expect(verify.out).toContain('\\u001b[2J');
  }, 60_000);

  it('a closed stdout (bnnc ... | head -1) gives no EPIPE stack trace', async () => {
    const model = join(dir, 'plain.onnx');
    writeFileSync(model, binaryMlp({ widths: [16, 8, 3], seed: 4, input: 'uint8' }));
    for (let i = 0; i < 3; i++) {
      const r = await bnnc(['inspect', model], true);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
    }
  }, 60_000);
});
