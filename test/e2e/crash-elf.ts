// A tiny e500mc guest that crashes the way real hardware can: it arms the
// watchdog with a reset (TCR[WRC] = 01) and a short period, then spins
// without ever clearing TSR[ENW/WIS]. The third time-out asks for a reset,
// which the lab reports as a hardware-level stop ("watchdog"): the guest is
// shown crashed, with the reason. Built here byte by byte so the test needs
// no cross-compiler.

function be32(v: number): number[] {
  return [(v >>> 24) & 0xFF, (v >>> 16) & 0xFF, (v >>> 8) & 0xFF, v & 0xFF];
}
function be16(v: number): number[] {
  return [(v >>> 8) & 0xFF, v & 0xFF];
}

/** TCR: WP = 3, WPEXT = 12 (time-out on time-base bit 12, every 8192 ticks), WRC = 01 (reset on the third). */
export const CRASH_TCR = 0xC0000000 | (12 << 17) | (1 << 28);

export const CRASH_CODE = [
  0x3C600000 | (CRASH_TCR >>> 16), // lis   r3, TCR@h
  0x7C7453A6, //                      mtspr 340 (TCR), r3
  0x48000000, //                      b     .
];

/** A 32-bit big-endian PowerPC ET_EXEC with one PT_LOAD segment at physical 0. */
export function crashElf(): Buffer {
  const code = CRASH_CODE.flatMap(be32);
  const phoff = 52;
  const codeOff = phoff + 32;
  const header = [
    0x7F, 0x45, 0x4C, 0x46, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, // ELF32, big-endian, version 1
    ...be16(2), ...be16(20), ...be32(1), //                          ET_EXEC, EM_PPC, EV_CURRENT
    ...be32(0), ...be32(phoff), ...be32(0), ...be32(0), //            entry, phoff, shoff, flags
    ...be16(52), ...be16(32), ...be16(1), ...be16(0), ...be16(0), ...be16(0), // ehsize, phentsize, phnum, sh*
  ];
  const phdr = [
    ...be32(1), ...be32(codeOff), ...be32(0), ...be32(0), //          PT_LOAD, offset, vaddr, paddr
    ...be32(code.length), ...be32(code.length), ...be32(5), ...be32(4), // filesz, memsz, R+X, align
  ];
  return Buffer.from([...header, ...phdr, ...code]);
}
