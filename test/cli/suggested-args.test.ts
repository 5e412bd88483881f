/** The options flash repeats in the `bnnc monitor` command it suggests after an upload. */
import { describe, expect, it } from 'vitest';
import { dataArgs, inputArgs } from '../../src/cli/common.ts';

describe('options repeated in the suggested monitor command', () => {
  it('repeats the given input options in order and leaves out the others', () => {
    expect(inputArgs({ inputType: 'uint8', inputZeroPoint: '127.5' })).toBe(' --input-type uint8 --input-zero-point 127.5');
    expect(inputArgs({ inputScale: '1/127.5', dumpAfter: 'fold' })).toBe(' --input-scale 1/127.5');
    expect(inputArgs({})).toBe('');
  });

  it('repeats the data mapping only with --data', () => {
    expect(dataArgs({ data: 'd.npz', dataScale: '1/255', limit: '5' })).toBe(' --data d.npz --data-scale 1/255');
    expect(dataArgs({ dataScale: '1/255' })).toBe('');
  });
});
