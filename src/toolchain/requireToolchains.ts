/**
 * Test helper: skip toolchain-dependent tests where a toolchain is missing,
 * unless BNNC_REQUIRE_TOOLCHAINS=1 (CI), where a missing toolchain must make
 * the tests fail rather than silently pass as skipped.
 *
 * Use with vitest: describe.skipIf(reason !== null)(`... ${reason ?? ''}`, ...)
 */
import type { Target } from '../targets/types.ts';
import { toolchainStatus } from './cross.ts';

export const REQUIRE_ENV = 'BNNC_REQUIRE_TOOLCHAINS';

export function toolchainsRequired(): boolean {
  return process.env[REQUIRE_ENV] === '1';
}

/**
 * null when the tests for `target` should run: the toolchain is installed,
 * or it is required (then the tests run and fail with the install hint).
 * Otherwise the reason to skip, also printed as a warning so skips stay visible.
 */
export function toolchainSkipReason(target: Target, opts: { run?: boolean } = {}): string | null {
  const status = toolchainStatus(target, opts);
  if (status.available || toolchainsRequired()) return null;
  const reason = `skipped: ${target.name} needs ${status.missing.join(', ')} `
    + `(apt-get install -y ${status.aptPackages.join(' ')}; set ${REQUIRE_ENV}=1 to fail instead)`;
  console.warn(reason);
  return reason;
}
