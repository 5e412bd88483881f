/** The fuzzer's judge and generator: outcomes decided from what a run printed, and mutants that depend only on seed and id. */
import { describe, expect, it } from 'vitest';
import type { CliRun } from '../../fuzz/cli.ts';
import { buildCorpus } from '../../fuzz/corpus.ts';
import { makeCase } from '../../fuzz/fuzz.ts';
import { classifyCli, classifyLibrary } from '../../fuzz/outcomes.ts';

const run = (over: Partial<CliRun>): CliRun => ({ code: 1, signal: null, timedOut: false, stdout: '', stderr: 'error: x.onnx: bad', peakMb: 100, memoryKilled: false, seconds: 1, ...over });

describe('fuzz outcomes', () => {
  it('classifies CLI runs', () => {
    expect(classifyCli(run({}), true)).toBe('clean error');
    expect(classifyCli(run({ code: 0, stderr: '' }), false)).toBe('accepted valid');
    expect(classifyCli(run({ code: 0, stderr: '' }), true)).toBe('wrongly accepted');
    expect(classifyCli(run({ code: 70, stderr: 'bnnc internal error: Invalid typed array length: -4' }), false)).toBe('internal error');
    expect(classifyCli(run({ stderr: 'error: the generated C does not compile\n  hint: this is a bnnc bug' }), false)).toBe('internal error');
    expect(classifyCli(run({ stdout: 'bnnc verify: m on host\nFAIL', stderr: '' }), false)).toBe('internal error');
    expect(classifyCli(run({ stderr: 'node:events:497\n      throw er;\nError: write EPIPE\n    at afterWriteDispatched (node:internal/stream_base_commons:161:15)' }), false)).toBe('stack trace');
    expect(classifyCli(run({ code: 134, stderr: 'FATAL ERROR: Reached heap limit' }), false)).toBe('crash');
    expect(classifyCli(run({ code: null, signal: 'SIGSEGV' }), false)).toBe('crash');
    expect(classifyCli(run({ timedOut: true, code: null, signal: 'SIGKILL' }), false)).toBe('hang');
    expect(classifyCli(run({ memoryKilled: true, code: null, signal: 'SIGKILL', peakMb: 2100 }), false)).toBe('crash');
    expect(classifyCli(run({ code: 1, stderr: 'Segmentation fault' }), false)).toBe('internal error');
  });

  it('classifies library results', () => {
    expect(classifyLibrary({ status: 'accepted', message: '' }, true)).toBe('wrongly accepted');
    expect(classifyLibrary({ status: 'violation', message: 'NaN in C' }, false)).toBe('wrongly accepted');
    expect(classifyLibrary({ status: 'rejected', message: '' }, true)).toBe('clean error');
    expect(classifyLibrary({ status: 'crash', message: 'ERR_WORKER_OUT_OF_MEMORY' }, false)).toBe('crash');
  });

  it('case id of a seed is the same mutant every time, and other ids differ', () => {
    const corpus = buildCorpus();
    const a = makeCase(corpus, 7, 42);
    const b = makeCase(corpus, 7, 42);
    expect(b.mutation).toBe(a.mutation);
    expect(Buffer.from(b.file.bytes).equals(Buffer.from(a.file.bytes))).toBe(true);
    const others = [43, 44, 45, 46].map((id) => makeCase(corpus, 7, id));
    expect(others.some((c) => !Buffer.from(c.file.bytes).equals(Buffer.from(a.file.bytes)))).toBe(true);
  });
});
