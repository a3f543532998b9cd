// The lab's version in snapshots and results is package.json's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_VERSION } from '../../../src/shared/version';

describe('LAB_VERSION', () => {
  it('is package.json\'s version', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(LAB_VERSION).toBe(pkg.version);
  });
});
