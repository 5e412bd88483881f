import { describe, expect, it } from 'vitest';
import { float32Literal, hexWord, int32Literal, int32s } from '../../src/codegen/literals.ts';
import { toCIdentifier, toCMacro } from '../../src/codegen/sanitize.ts';

describe('C identifiers from model names', () => {
  const cases: [string, string][] = [
    ['TFC_1W1A', 'tfc_1w1a'],
    ['mnist-mlp', 'mnist_mlp'],
    ['my model (v2).final', 'my_model_v2_final'],
    ['__reserved__Name', 'reserved_name'],
    ['2fast', 'm2fast'],
    ['int', 'int_'],
    ['class', 'class_'],
    ['', 'model'],
    ['***', 'model'],
    ['Ünïcödé/ñame', 'unicode_name'],
    ['a'.repeat(40), 'a'.repeat(31)],
    ['x; system("rm -rf /"); //', 'x_system_rm_rf'],
    ['*/ evil', 'evil'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${expected}`, () => {
      const id = toCIdentifier(input);
      expect(id).toBe(expected);
      expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(id).not.toMatch(/__/);
    });
  }
  it('macros are the upper-case identifier', () => expect(toCMacro('mnist-mlp')).toBe('MNIST_MLP'));
});

describe('C literals', () => {
  it('hex words are 8 digits with a u suffix', () => {
    expect(hexWord(0)).toBe('0x00000000u');
    expect(hexWord(0xdeadbeef)).toBe('0xDEADBEEFu');
    expect(hexWord(-1)).toBe('0xFFFFFFFFu');
  });
  it('int32 literals, INT32_MIN written as an expression', () => {
    expect(int32Literal(-5)).toBe('-5');
    expect(int32Literal(-2147483648)).toBe('(-2147483647 - 1)');
    expect(() => int32Literal(2 ** 31)).toThrow();
    expect(() => int32Literal(0.5)).toThrow();
    expect(int32s([1, 2, 3], '  ', 2)).toBe('  1, 2,\n  3,');
  });
  it('float32 literals read back to the same float32', () => {
    for (const v of [0.5, 1 / 3, -1e-30, 3.4028234663852886e38, 1.17549435e-38, 255, -0, 0.1, 1e-45]) {
      const text = float32Literal(v);
      expect(text.endsWith('f')).toBe(true);
      expect(Math.fround(Number.parseFloat(text))).toBe(Math.fround(v));
    }
    expect(() => float32Literal(-Infinity)).toThrow();
  });
});
