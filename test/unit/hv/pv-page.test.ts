// The paravirtual page's layout is shared by the hypervisor (hv/pv-page.ts)
// and labOS (kernel/pv.h): the two must agree word for word.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_MAP_PV_PAGE, VENDOR_LAB } from '../../../src/main/hv/hcall';
import { PV, PV_SIZE, PV_SPRS } from '../../../src/main/hv/pv-page';

const header = readFileSync(join(__dirname, '../../../resources/guests/labos/kernel/pv.h'), 'utf8');
const define = (name: string) => {
  const m = new RegExp(`^#define\\s+${name}\\s+(.+)$`, 'm').exec(header);
  if (!m) throw new Error(`pv.h has no ${name}`);
  return m[1]!.replace(/\/\*.*\*\//, '').trim();
};

describe('paravirtual page layout', () => {
  it('labOS\'s pv.h has the hypervisor\'s offsets, register list and call', () => {
    expect(Number(define('PV_SCRATCH1'))).toBe(PV.SCRATCH1);
    expect(Number(define('PV_SCRATCH2'))).toBe(PV.SCRATCH2);
    expect(Number(define('PV_INT_PENDING'))).toBe(PV.INT_PENDING);
    expect(Number(define('PV_MSR'))).toBe(PV.MSR);
    expect(Number(define('PV_SPRS'))).toBe(PV.SPRS);
    expect(define('PV_SPR_LIST').split(',').map((x) => Number(x.trim()))).toEqual(PV_SPRS);
    expect(Number(define('LAB_VENDOR'))).toBe(VENDOR_LAB);
    expect(Number(define('LAB_MAP_PV_PAGE'))).toBe(LAB_MAP_PV_PAGE);
    expect(PV_SIZE).toBeLessThanOrEqual(4096);
  });
});
