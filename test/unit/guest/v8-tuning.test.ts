// The V8 flags guest threads set (guest/v8-tuning.ts): branch hints are read
// behind an experimental flag up to V8 13.6 and by default from 13.7, where
// the flag may be gone (setting an unknown flag prints an error).
import { describe, expect, it } from 'vitest';
import { branchHintsNeedFlag } from '../../../src/main/guest/v8-tuning';

describe('tuneV8', () => {
  it('sets the branch-hinting flag only for a V8 that has not shipped branch hints', () => {
    expect(branchHintsNeedFlag('11.3.244.8-node.33')).toBe(true); // Node 20
    expect(branchHintsNeedFlag('12.4.254.21-node.24')).toBe(true);
    expect(branchHintsNeedFlag('13.6.233.10')).toBe(true);
    expect(branchHintsNeedFlag('13.7.152.1')).toBe(false);
    expect(branchHintsNeedFlag('14.6.202.9-electron.0')).toBe(false);
  });
});
