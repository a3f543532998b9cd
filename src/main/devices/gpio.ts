// The QorIQ GPIO block (mpc8xxx register layout) with the board's power-off
// line on pin 0, as QEMU's ppce500 wires it to a gpio-poweroff node: driving
// pin 0 high as an output powers the machine off.

import { type MmioDevice, registerSlice } from './bus';

const GPDIR = 0x00;
const GPODR = 0x04;
const GPDAT = 0x08;
const GPIER = 0x0C;
const GPIMR = 0x10;
const GPICR = 0x14;
const PIN0 = 0x80000000 | 0;

export class Gpio implements MmioDevice {
  readonly name = 'gpio';
  private dir = 0;
  private odr = 0;
  private dat = 0;
  private ier = 0;
  private imr = 0;
  private icr = 0;

  constructor(private readonly onPowerOff: () => void) {}

  /** A board reset: every register back to zero (the power-off line low again), as QEMU resets its GPIO block. */
  reset(): void {
    this.dir = this.odr = this.dat = this.ier = this.imr = this.icr = 0;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    switch (offset & ~3) {
      case GPDIR: v = this.dir; break;
      case GPODR: v = this.odr; break;
      case GPDAT: v = this.dat & this.dir; break;
      case GPIER: v = this.ier; break;
      case GPIMR: v = this.imr; break;
      case GPICR: v = this.icr; break;
    }
    return registerSlice(v, offset, size);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 4) return;
    switch (offset & ~3) {
      case GPDIR: this.dir = value; break;
      case GPODR: this.odr = value; break;
      case GPDAT: this.dat = value; break;
      case GPIER: this.ier &= ~value; break; // write one to clear
      case GPIMR: this.imr = value; break;
      case GPICR: this.icr = value; break;
    }
    if (this.dir & this.dat & PIN0) this.onPowerOff();
  }
}
