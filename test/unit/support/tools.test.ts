import { describe, expect, it } from 'vitest';
import { missing } from '../../support/tools';

describe('tests that need outside tools', () => {
  it('run when the tool is there, skip without it on a developer\'s machine, and fail without it on CI', () => {
    expect(missing('qemu-system-ppc', true, { CI: 'true' })).toBe(false);
    expect(missing('qemu-system-ppc', false, {})).toBe(true);
    expect(() => missing('qemu-system-ppc', false, { CI: 'true' })).toThrow(/qemu-system-ppc is not available under CI=true/);
  });
});
