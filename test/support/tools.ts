// Outside tools the oracle and browser tests need (QEMU, the cross
// assembler, dtc, Chromium, the built renderer). On a developer's machine a
// missing tool skips those tests with their name in the report; under CI=true
// it is an install failure and fails the run instead, so a broken install step
// can never turn the oracle tests into silent skips.

/** True when the tests that need `tool` must be skipped; throws under CI when it is missing. */
export function missing(tool: string, available: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (available) return false;
  if (env.CI === 'true') {
    throw new Error(`${tool} is not available under CI=true: .ci/run must install it (tests that need it never skip on CI)`);
  }
  return true;
}
