/** Output formats of `bnnc build --format`. */
import { BnncError } from '../errors.ts';
import type { Target } from '../targets/types.ts';

export const PACKAGE_FORMATS = ['arduino', 'platformio', 'c'] as const;
export type PackageFormat = (typeof PACKAGE_FORMATS)[number];

/** arduino for targets with an arduino-cli board, plain C (Makefile, CMakeLists.txt) otherwise. */
export function defaultFormat(target: Target): PackageFormat {
  return target.arduino ? 'arduino' : 'c';
}

export function parseFormat(text: string | undefined, target: Target): PackageFormat {
  if (text === undefined) return defaultFormat(target);
  if ((PACKAGE_FORMATS as readonly string[]).includes(text)) return text as PackageFormat;
  throw new BnncError(`unknown format "${text}"`, {
    where: '--format',
    expected: `${PACKAGE_FORMATS.join(', ')} (default for ${target.name}: ${defaultFormat(target)})`,
  });
}
