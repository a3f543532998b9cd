// The global-utilities block's reset control (RSTCR at offset 0xB0; writing
// HRESET_REQ ends the run, as QEMU's ppce500 resets or exits with -no-reboot),
// plus its processor and system version registers.

import { type MmioDevice, registerSlice } from './bus';
import { PVR_E500MC, SVR_PPCE500 } from '../cpu/regs';

const RSTCR = 0xB0;
const HRESET_REQ = 0x2;

export class GlobalUtilities implements MmioDevice {
  readonly name = 'guts';
  private rstcr = 0;

  constructor(private readonly onReset: () => void) {}

  /** A board reset: the reset control register back to zero. */
  reset(): void {
    this.rstcr = 0;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    switch (offset & ~3) {
      case 0xA0: v = PVR_E500MC; break;
      case 0xA4: v = SVR_PPCE500; break;
      case RSTCR: v = this.rstcr; break;
    }
    return registerSlice(v, offset, size);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if ((offset & ~3) !== RSTCR) return;
    const v = size === 4 ? value : value << ((4 - size - (offset & 3)) * 8);
    this.rstcr = v;
    if (v & HRESET_REQ) this.onReset();
  }
}
