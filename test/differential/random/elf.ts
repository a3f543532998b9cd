// Minimal ELF32 big-endian PowerPC executable writer: one PT_LOAD segment
// loaded at its physical address (QEMU's -kernel loader and the lab's loader
// both use program headers), no sections.

export interface ElfSegment {
  /** Load (and virtual) address. */
  addr: number;
  data: Uint8Array;
  /** Size in memory (>= data length; the rest is zero). */
  memSize?: number;
}

const EHDR = 52;
const PHDR = 32;

export function writeElf(entry: number, segments: ElfSegment[]): Uint8Array {
  const headers = EHDR + PHDR * segments.length;
  const offsets: number[] = [];
  let size = headers;
  for (const s of segments) {
    size = (size + 0xfff) & ~0xfff; // page-align file offsets like a linker does
    offsets.push(size);
    size += s.data.length;
  }
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1 /* ELFCLASS32 */, 2 /* big endian */, 1 /* version */], 0);
  v.setUint16(16, 2); // ET_EXEC
  v.setUint16(18, 20); // EM_PPC
  v.setUint32(20, 1); // EV_CURRENT
  v.setUint32(24, entry >>> 0);
  v.setUint32(28, EHDR); // e_phoff
  v.setUint32(32, 0); // e_shoff
  v.setUint32(36, 0); // e_flags
  v.setUint16(40, EHDR);
  v.setUint16(42, PHDR);
  v.setUint16(44, segments.length);
  v.setUint16(46, 40); // e_shentsize (no sections)
  v.setUint16(48, 0);
  v.setUint16(50, 0);
  segments.forEach((s, i) => {
    const p = EHDR + PHDR * i;
    v.setUint32(p, 1); // PT_LOAD
    v.setUint32(p + 4, offsets[i]!);
    v.setUint32(p + 8, s.addr >>> 0);
    v.setUint32(p + 12, s.addr >>> 0);
    v.setUint32(p + 16, s.data.length);
    v.setUint32(p + 20, Math.max(s.memSize ?? 0, s.data.length));
    v.setUint32(p + 24, 7); // RWX
    v.setUint32(p + 28, 0x1000);
    out.set(s.data, offsets[i]!);
  });
  return out;
}
