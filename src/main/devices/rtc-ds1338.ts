// A DS1338-compatible real-time clock on the I2C bus (QEMU's ppce500 puts one
// at address 0x68 and names it "pericom,pt7c4338" in the device tree): 64
// byte-wide registers, of which 0-6 are the time in BCD (seconds, minutes,
// hours, day of week 1-7, date, month, year 00-99), 7 the control register
// and 8-63 battery-backed RAM. The first byte of a write sets the register
// pointer; the pointer wraps at 64. The time registers are a snapshot taken
// at each START for reading and whenever the pointer wraps.
//
// The lab's clock is the guest's virtual time, not the host's: it starts at
// 2000-01-01 00:00:00 UTC when the board powers on and advances with the time
// base, so runs stay deterministic. Writing a time register moves the clock;
// the offset survives a guest reset, as on the real part.

import type { I2cTarget } from './i2c';

const REGISTERS = 64;
const HOURS_12 = 0x40;
const HOURS_PM = 0x20;
const CONTROL_OSF = 0x20;
/** Seconds from the Unix epoch to the lab's power-on time, 2000-01-01T00:00:00Z. */
export const RTC_POWER_ON_EPOCH = 946_684_800;

export class RtcDs1338 implements I2cTarget {
  private readonly regs = new Uint8Array(REGISTERS);
  private pointer = 0;
  private pointerNext = false;
  /** Seconds added to the virtual clock by guest writes. */
  private offset = 0;
  /** Added to the computed day of week (the guest may number days from any day). */
  private weekdayOffset = 0;

  /** `now` gives the seconds of virtual time since the board powered on. */
  constructor(private readonly now: () => number) {}

  private date(): Date {
    return new Date((RTC_POWER_ON_EPOCH + Math.floor(this.now()) + this.offset) * 1000);
  }

  private capture(): void {
    const d = this.date();
    const r = this.regs;
    r[0] = bcd(d.getUTCSeconds());
    r[1] = bcd(d.getUTCMinutes());
    const hour = d.getUTCHours();
    if (r[2]! & HOURS_12) {
      const h12 = hour % 12 === 0 ? 12 : hour % 12;
      r[2] = HOURS_12 | (hour >= 12 ? HOURS_PM : 0) | bcd(h12);
    } else {
      r[2] = bcd(hour);
    }
    r[3] = ((d.getUTCDay() + this.weekdayOffset) % 7) + 1;
    r[4] = bcd(d.getUTCDate());
    r[5] = bcd(d.getUTCMonth() + 1);
    r[6] = bcd(d.getUTCFullYear() % 100);
  }

  private advance(): void {
    this.pointer = (this.pointer + 1) % REGISTERS;
    if (this.pointer === 0) this.capture();
  }

  start(read: boolean): void {
    if (read) this.capture();
    else this.pointerNext = true;
  }

  send(byte: number): boolean {
    if (this.pointerNext) {
      this.pointer = byte % REGISTERS;
      this.pointerNext = false;
      return true;
    }
    if (this.pointer < 7) this.setTimeField(this.pointer, byte);
    else if (this.pointer === 7) this.regs[7] = (byte & 0xB3 & ~CONTROL_OSF) | (byte & this.regs[7]! & CONTROL_OSF);
    else this.regs[this.pointer] = byte;
    this.advance();
    return true;
  }

  recv(): number {
    const v = this.regs[this.pointer]!;
    this.advance();
    return v;
  }

  stop(): void {
    this.pointerNext = false;
  }

  private setTimeField(field: number, byte: number): void {
    const d = this.date();
    switch (field) {
      case 0: d.setUTCSeconds(unbcd(byte & 0x7F)); break;
      case 1: d.setUTCMinutes(unbcd(byte & 0x7F)); break;
      case 2: {
        let hour: number;
        if (byte & HOURS_12) {
          hour = unbcd(byte & 0x1F) % 12 + (byte & HOURS_PM ? 12 : 0);
        } else {
          hour = unbcd(byte & 0x3F);
        }
        d.setUTCHours(hour);
        this.regs[2] = (this.regs[2]! & ~HOURS_12) | (byte & HOURS_12);
        break;
      }
      case 3:
        this.weekdayOffset = (((byte & 7) - 1 - d.getUTCDay()) % 7 + 7) % 7;
        return;
      case 4: d.setUTCDate(unbcd(byte & 0x3F)); break;
      case 5: d.setUTCMonth(unbcd(byte & 0x1F) - 1); break;
      case 6: d.setUTCFullYear(2000 + unbcd(byte)); break;
    }
    this.offset += Math.floor(d.getTime() / 1000) - Math.floor(this.date().getTime() / 1000);
  }
}

function bcd(n: number): number {
  return ((n / 10) | 0) * 16 + (n % 10);
}

function unbcd(b: number): number {
  return (b >>> 4) * 10 + (b & 15);
}
