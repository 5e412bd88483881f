/**
 * CI-sized fuzz run (npm run fuzz does >= 2,000): a few hundred seeded mutants
 * of the bundled models, their .bnn.json conversions and data sets, through the
 * library and (a share) the CLI. Any wrongly accepted file, internal error,
 * crash, stack trace, hang or run over the memory limit fails the test, and
 * the failures are listed with the command that reproduces them.
 */
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../fuzz/fuzz.ts';
import { BAD_OUTCOMES, formatTable } from '../../fuzz/outcomes.ts';

const SEED = 20261127;
const COUNT = 300;

describe('fuzz (CI size)', () => {
  it(`${COUNT} mutants of seed ${SEED}: only clean errors and valid acceptances`, async () => {
    // About 3 % are resource mutants (gzip bombs, /dev/zero, FIFOs, folders), refused by the input limits of src/files/read.ts.
    const report = await runFuzz({ seed: SEED, count: COUNT, cliRatio: 0.08, verifyRatio: 0.25, jobs: 2, resources: true });
    const total = report.rows.at(-1)!;
    const failures = report.failures.map((f) => `#${f.id} ${f.outcome} (${f.driver}) ${f.seed}: ${f.mutation}\n  ${f.message}`);
    expect(failures, `${formatTable(report.rows)}\nreproduce: npm run fuzz -- --seed ${SEED} --only <id>`).toEqual([]);
    for (const outcome of BAD_OUTCOMES) expect(total.counts[outcome]).toBe(0);
    expect(total.overMemory).toBe(0);
    // The mutants exercise both sides: most are refused, some are still valid models and data sets.
    expect(total.counts['clean error']).toBeGreaterThan(COUNT / 2);
    expect(total.counts['accepted valid']).toBeGreaterThan(0);
    expect(report.rows.some((r) => r.label.endsWith('(CLI)') && r.runs > 0)).toBe(true);
  });
});
