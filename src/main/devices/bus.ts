// The physical address space of one guest: RAM from address 0, and device
// registers mapped at fixed physical addresses (36-bit, as doubles). Devices
// see only offsets within their own region. Only guest/machine.ts knows where
// anything is. An access to an unmapped address reads zero and ignores writes,
// as QEMU's ppce500 does; the first one of each page is logged.

import type { CpuBus } from '../cpu/cpu';

export interface MmioDevice {
  readonly name: string;
  /** Reads `size` bytes (big-endian) at `offset` within the device's region. */
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

interface Region {
  base: number;
  end: number;
  dev: MmioDevice;
}

export class Bus implements CpuBus {
  readonly ramView: DataView;
  readonly ram8: Uint8Array;
  private regions: Region[] = [];
  private lastHit: Region | null = null;
  private readonly warned = new Set<number>();
  /** Where unmapped-access warnings go (stderr by default; tests capture them). */
  warn: (message: string) => void = (m) => { console.warn(m); };

  constructor(readonly ramSize: number, readonly ram = new ArrayBuffer(ramSize)) {
    this.ramView = new DataView(ram);
    this.ram8 = new Uint8Array(ram);
  }

  map(base: number, size: number, dev: MmioDevice): void {
    const end = base + size;
    if (base < this.ramSize) throw new Error(`${dev.name}: region 0x${base.toString(16)} overlaps RAM`);
    for (const r of this.regions) {
      if (base < r.end && r.base < end) {
        throw new Error(`${dev.name}: region 0x${base.toString(16)}+0x${size.toString(16)} overlaps ${r.dev.name}`);
      }
    }
    this.regions.push({ base, end, dev });
    this.regions.sort((a, b) => a.base - b.base);
  }

  private find(pa: number): Region | null {
    const last = this.lastHit;
    if (last !== null && pa >= last.base && pa < last.end) return last;
    for (const r of this.regions) {
      if (pa >= r.base && pa < r.end) {
        this.lastHit = r;
        return r;
      }
    }
    return null;
  }

  private unmapped(pa: number, what: string): void {
    const page = Math.floor(pa / 4096);
    if (this.warned.has(page)) return;
    this.warned.add(page);
    this.warn(`bus: ${what} of unmapped physical address 0x${pa.toString(16)} (reads as 0; further accesses to this page not reported)`);
  }

  mmioRead(pa: number, size: 1 | 2 | 4): number {
    const r = this.find(pa);
    if (r === null) {
      this.unmapped(pa, 'read');
      return 0;
    }
    return r.dev.read(pa - r.base, size);
  }

  mmioWrite(pa: number, size: 1 | 2 | 4, value: number): void {
    const r = this.find(pa);
    if (r === null) {
      this.unmapped(pa, 'write');
      return;
    }
    r.dev.write(pa - r.base, size, value);
  }

  /** Copies bytes into RAM (loader). */
  loadRam(pa: number, bytes: Uint8Array): void {
    if (pa < 0 || pa + bytes.length > this.ramSize) throw new Error('load outside RAM');
    this.ram8.set(bytes, pa);
  }
}
