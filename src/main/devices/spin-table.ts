// The ePAPR spin table through which the boot core releases the others, as
// QEMU's ppce500 models it: not memory but a small device (at physical
// 0xF_EF00_0000 on this board), one 32-byte entry per core, big-endian:
//
//   0x00  entry address (64 bits; 1 while the core spins)
//   0x08  r3 for the core (64 bits; the core's number at reset)
//   0x10  reserved (32 bits)
//   0x14  PIR (32 bits; the core's number)
//   0x18  reserved (64 bits)
//
// A write to a secondary core's entry that leaves its address even releases
// the core (the board maps the 64 MB around the address and starts it there);
// writes to the boot core's entry, or to entries of cores the board lacks,
// are ignored. The device decodes 32 entries, as QEMU's does.

import type { MmioDevice } from './bus';

export const SPIN_ENTRY_BYTES = 32;
const ENTRIES = 32;
export const SPIN_TABLE_BYTES = SPIN_ENTRY_BYTES * ENTRIES;

/** What the board does when a core is released: start it at `addr` with r3 = `r3` (both 64-bit values as doubles). */
export type SpinRelease = (core: number, addr: number, r3: number) => void;

export class SpinTable implements MmioDevice {
  readonly name = 'spin-table';
  private readonly bytes = new Uint8Array(SPIN_TABLE_BYTES);

  constructor(private readonly cores: number, private readonly release: SpinRelease) {
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < ENTRIES; i++) {
      this.put(i * SPIN_ENTRY_BYTES, 8, 1);
      this.put(i * SPIN_ENTRY_BYTES + 8, 8, i);
      this.put(i * SPIN_ENTRY_BYTES + 0x10, 4, 0);
      this.put(i * SPIN_ENTRY_BYTES + 0x14, 4, i);
      this.put(i * SPIN_ENTRY_BYTES + 0x18, 8, 0);
    }
  }

  /** Records a released core's PIR in its entry (as QEMU does when it starts the core). */
  setPir(core: number, pir: number): void {
    this.put(core * SPIN_ENTRY_BYTES + 0x14, 4, pir >>> 0);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    return this.get(offset, size);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    const core = Math.floor(offset / SPIN_ENTRY_BYTES);
    if (core === 0 || core >= this.cores) return;
    this.put(offset, size, size === 4 ? value >>> 0 : value & (size === 2 ? 0xFFFF : 0xFF));
    const entry = core * SPIN_ENTRY_BYTES;
    const addr = this.get(entry, 4) * 2 ** 32 + this.get(entry + 4, 4);
    if (addr % 2 === 0) this.release(core, addr, this.get(entry + 8, 4) * 2 ** 32 + this.get(entry + 12, 4));
  }

  /** Big-endian value of `size` bytes (up to 8) at `offset`. */
  private get(offset: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + this.bytes[offset + i]!;
    return v;
  }

  private put(offset: number, size: number, value: number): void {
    let v = value;
    for (let i = size - 1; i >= 0; i--) {
      this.bytes[offset + i] = v % 256;
      v = Math.floor(v / 256);
    }
  }
}
