// The physical address space of one guest: RAM from address 0, and device
// registers mapped at fixed physical addresses (36-bit, as doubles). Devices
// see only offsets within their own region. Only guest/machine.ts knows where
// anything is. An access to an unmapped address reads zero and ignores writes,
// as QEMU's ppce500 does; the first one of each page is logged.
//
// RAM layout: guest memory is big-endian, the host little-endian. RAM is kept
// as 32-bit words in host order (ram32[a >> 2] is the big-endian word at a), so
// an aligned word access is one typed-array access with no byte swapping; a
// byte lives at host offset a ^ 3 and an aligned halfword at (a ^ 2) >> 1 in
// ram16. Everything that touches RAM as bytes goes through readBytes/writeBytes.

import type { CpuBus } from '../cpu/cpu';
import { guestMemory, type GuestMemory } from '../cpu/memory';

export interface MmioDevice {
  readonly name: string;
  /** Reads `size` bytes (big-endian) at `offset` within the device's region. */
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

/** The `size` bytes at `offset` of a big-endian 32-bit register value: what a device answers to a narrower read. */
export function registerSlice(v: number, offset: number, size: 1 | 2 | 4): number {
  if (size === 4) return v;
  return (v >>> ((4 - size - (offset & 3)) * 8)) & (size === 2 ? 0xFFFF : 0xFF);
}

interface Region {
  base: number;
  end: number;
  dev: MmioDevice;
}

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('Hypervisor Lab needs a little-endian host');
}

export class Bus implements CpuBus {
  readonly ram32: Int32Array;
  readonly ram16: Uint16Array;
  readonly ram8: Uint8Array;
  readonly written: Uint8Array;
  private regions: Region[] = [];
  private lastHit: Region | null = null;
  private readonly warned = new Set<number>();
  /** Where unmapped-access warnings go (stderr by default; tests capture them). */
  warn: (message: string) => void = (m) => { console.warn(m); };

  /** RAM from address 0 of a WebAssembly memory that also holds the cores' areas (cpu/memory.ts). */
  readonly memory: GuestMemory;

  constructor(readonly ramSize: number, cores = 1) {
    this.memory = guestMemory(ramSize, cores);
    const ram = this.memory.memory.buffer;
    this.ram32 = new Int32Array(ram, 0, ramSize / 4);
    this.ram16 = new Uint16Array(ram, 0, ramSize / 2);
    this.ram8 = new Uint8Array(ram, 0, ramSize);
    this.written = new Uint8Array(Math.ceil(ramSize / 4096));
  }

  /** Marks the pages of bytes pa..pa+length-1 as written (CpuBus.written). */
  markWritten(pa: number, length: number): void {
    if (length > 0) this.written.fill(1, pa >>> 12, ((pa + length - 1) >>> 12) + 1);
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

  /** The mapped devices, in address order (their state is part of a snapshot). */
  devices(): MmioDevice[] {
    return this.regions.map((r) => r.dev);
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

  /**
   * Copies bytes into RAM at physical address pa (loaders, hypervisor copies,
   * snapshots): the whole words among them as one copy whose words are then
   * byte-reversed (a kernel's 8 MB loaded a byte at a time took 30 ms), the
   * bytes before and after them one by one.
   */
  writeBytes(pa: number, bytes: Uint8Array): void {
    if (pa < 0 || pa + bytes.length > this.ramSize) throw new Error('write outside RAM');
    this.markWritten(pa, bytes.length);
    const ram8 = this.ram8;
    const n = bytes.length;
    let i = 0;
    for (; i < n && ((pa + i) & 3) !== 0; i++) ram8[(pa + i) ^ 3] = bytes[i]!;
    const words = (n - i) >>> 2;
    if (words > 0) {
      ram8.set(bytes.subarray(i, i + words * 4), pa + i);
      // Node's native byte swap: a JavaScript loop over a kernel's 1.3 M words ran cold, 25-50 ms of a first boot.
      Buffer.from(ram8.buffer, ram8.byteOffset + pa + i, words * 4).swap32();
      i += words * 4;
    }
    for (; i < n; i++) ram8[(pa + i) ^ 3] = bytes[i]!;
  }

  /** Zeroes `length` bytes of RAM from physical address pa (a loader's BSS). */
  zeroBytes(pa: number, length: number): void {
    if (pa < 0 || pa + length > this.ramSize) throw new Error('write outside RAM');
    const ram8 = this.ram8;
    let i = 0;
    for (; i < length && ((pa + i) & 3) !== 0; i++) ram8[(pa + i) ^ 3] = 0;
    const words = (length - i) >>> 2;
    ram8.fill(0, pa + i, pa + i + words * 4); // zero is the same in either byte order
    for (i += words * 4; i < length; i++) ram8[(pa + i) ^ 3] = 0;
  }

  /** Reads bytes of RAM in guest order (as writeBytes: whole words copied and byte-reversed, the rest one by one). */
  readBytes(pa: number, length: number): Uint8Array {
    if (pa < 0 || pa + length > this.ramSize) throw new Error('read outside RAM');
    const out = new Uint8Array(length);
    const ram8 = this.ram8;
    let i = 0;
    for (; i < length && ((pa + i) & 3) !== 0; i++) out[i] = ram8[(pa + i) ^ 3]!;
    const words = (length - i) >>> 2;
    if (words > 0) {
      const tmp = ram8.slice(pa + i, pa + i + words * 4);
      Buffer.from(tmp.buffer, tmp.byteOffset, tmp.length).swap32();
      out.set(tmp, i);
      i += words * 4;
    }
    for (; i < length; i++) out[i] = ram8[(pa + i) ^ 3]!;
    return out;
  }

  /** Big-endian RAM reads and writes of any alignment (slow paths). */
  readRam(pa: number, size: 1 | 2 | 4): number {
    if (size === 4) return (pa & 3) === 0 ? this.ram32[pa >> 2]! : (this.readRam(pa, 2) << 16 | this.readRam(pa + 2, 2)) | 0;
    if (size === 2) return (pa & 1) === 0 ? this.ram16[(pa ^ 2) >> 1]! : (this.ram8[pa ^ 3]! << 8) | this.ram8[(pa + 1) ^ 3]!;
    return this.ram8[pa ^ 3]!;
  }

  writeRam(pa: number, size: 1 | 2 | 4, value: number): void {
    this.written[pa >>> 12] = 1;
    this.written[(pa + size - 1) >>> 12] = 1;
    if (size === 4) {
      if ((pa & 3) === 0) this.ram32[pa >> 2] = value;
      else {
        this.writeRam(pa, 2, value >>> 16);
        this.writeRam(pa + 2, 2, value & 0xFFFF);
      }
    } else if (size === 2) {
      if ((pa & 1) === 0) this.ram16[(pa ^ 2) >> 1] = value;
      else {
        this.ram8[pa ^ 3] = value >>> 8;
        this.ram8[(pa + 1) ^ 3] = value;
      }
    } else {
      this.ram8[pa ^ 3] = value;
    }
  }
}
