// Loads a guest's ELF image the way QEMU's ppce500 loads a -kernel ELF: each
// PT_LOAD segment at its physical address, the entry point translated from a
// virtual to a physical address when it lies in a segment. Anything that is
// not a 32-bit big-endian PowerPC executable that fits in RAM is refused with
// a message that says what is wrong.

export interface ElfSegment {
  paddr: number;
  vaddr: number;
  data: Uint8Array;
  memsz: number;
}

export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
  /** Lowest and highest physical address loaded. */
  low: number;
  high: number;
}

export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

const EM_PPC = 20;
const EM_PPC64 = 21;
const PT_LOAD = 1;
const MACHINES: Record<number, string> = { 3: 'x86', 8: 'MIPS', 40: 'ARM', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V', [EM_PPC64]: '64-bit PowerPC' };

const hex = (v: number) => `0x${v.toString(16)}`;

/** Parses and checks an ELF image; `ramSize` bounds where it may load. */
export function parseElf(bytes: Uint8Array, ramSize: number): ElfImage {
  if (bytes.length < 52) throw new ElfError(`not an ELF file: only ${bytes.length} bytes`);
  if (bytes[0] !== 0x7F || bytes[1] !== 0x45 || bytes[2] !== 0x4C || bytes[3] !== 0x46) {
    throw new ElfError('not an ELF file (bad magic number)');
  }
  if (bytes[4] !== 1) throw new ElfError(bytes[4] === 2 ? '64-bit ELF: the lab runs 32-bit e500mc guests' : `unknown ELF class ${bytes[4]}`);
  if (bytes[5] !== 2) throw new ElfError(bytes[5] === 1 ? 'little-endian ELF: e500mc guests are big-endian' : `unknown ELF data encoding ${bytes[5]}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = v.getUint16(16);
  const machine = v.getUint16(18);
  if (machine !== EM_PPC) {
    throw new ElfError(`ELF for ${MACHINES[machine] ?? `machine ${machine}`}, not 32-bit PowerPC (EM_PPC)`);
  }
  if (type !== 2) throw new ElfError(`ELF type ${type} is not an executable (ET_EXEC); link the guest statically`);
  const entry = v.getUint32(24);
  const phoff = v.getUint32(28);
  const phentsize = v.getUint16(42);
  const phnum = v.getUint16(44);
  if (phnum === 0) throw new ElfError('ELF has no program headers');
  if (phentsize < 32) throw new ElfError(`bad program header size ${phentsize}`);
  if (phoff + phnum * phentsize > bytes.length) throw new ElfError('ELF truncated: program headers extend past the end of the file');

  const segments: ElfSegment[] = [];
  let low = Infinity;
  let high = 0;
  let physEntry = -1;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (v.getUint32(o) !== PT_LOAD) continue;
    const offset = v.getUint32(o + 4);
    const vaddr = v.getUint32(o + 8);
    const paddr = v.getUint32(o + 12);
    const filesz = v.getUint32(o + 16);
    const memsz = v.getUint32(o + 20);
    if (filesz > memsz) throw new ElfError(`segment ${i}: file size ${filesz} exceeds memory size ${memsz}`);
    if (offset + filesz > bytes.length) {
      throw new ElfError(`ELF truncated: segment ${i} needs bytes ${offset}..${offset + filesz} but the file has ${bytes.length}`);
    }
    if (paddr + memsz > ramSize) {
      throw new ElfError(`segment ${i} at physical ${hex(paddr)}..${hex(paddr + memsz)} lies outside the guest's ${ramSize / (1 << 20)} MB of RAM`);
    }
    if (memsz === 0) continue;
    segments.push({ paddr, vaddr, data: bytes.subarray(offset, offset + filesz), memsz });
    low = Math.min(low, paddr);
    high = Math.max(high, paddr + memsz);
    if (physEntry < 0 && entry >= vaddr && entry < vaddr + memsz) physEntry = entry - vaddr + paddr;
  }
  if (segments.length === 0) throw new ElfError('ELF has no loadable segments');
  return { entry: physEntry >= 0 ? physEntry : entry, segments, low, high };
}
