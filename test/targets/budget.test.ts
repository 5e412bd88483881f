import { describe, expect, it } from 'vitest';
import { budgetProblems } from '../../src/targets/budget.ts';
import { loadTarget } from '../../src/targets/load.ts';

describe('budgetProblems', () => {
  const uno = loadTarget('avr-uno');

  it('is empty when the program fits', () => {
    expect(budgetProblems(uno, { flashBytes: 32256, ramBytes: 2048 })).toEqual([]);
  });

  it('names each exceeded limit', () => {
    expect(budgetProblems(uno, { flashBytes: 40000, ramBytes: 4096 })).toEqual([
      'needs 40000 bytes of flash, avr-uno has 32256',
      'needs 4096 bytes of RAM (without stack), avr-uno has 2048',
    ]);
  });

  it('never complains about the host', () => {
    expect(budgetProblems(loadTarget('host'), { flashBytes: 1e9, ramBytes: 1e9 })).toEqual([]);
  });
});
