// Where a guest's RAM and the core's hottest state live: one WebAssembly
// memory, RAM from address 0 and the core's area after it, so that code the
// translator compiles to WebAssembly (wasm-jit.ts) reaches both with plain
// loads and stores. JavaScript sees the same bytes through typed-array views.
//
// The core's area, in 32-bit words from CORE_BASE = the RAM size:
//   0..31      GPRs (Cpu.gpr)
//   32..47     the block's exchange slots (CORE_SLOT): CR, CTR, LR, XER[SO],
//              XER[CA], XER[OV], instructions run, fault flag, the slice's
//              budget at its start, an SPR watch being armed
//   48..63     the time base's state as six doubles (CORE_TB_F64, Timers.exportTimeBase)
//   1024..     the soft TLB's read tags and values, then the write tags and values (SOFT_TLB_SIZE each)

/** Exchange slots between translated WebAssembly and the core (word index in the area). */
export const CORE_SLOT = { CR: 32, CTR: 33, LR: 34, SO: 35, CA: 36, OV: 37, RAN: 38, FAULT: 39, SLICE: 40, WATCH: 41 } as const;
/** Index (in doubles) of the time base's state in the area: ticks, remainder, multiplier, denominator, offset low, offset high. */
export const CORE_TB_F64 = 24;
/** Word index of the first soft-TLB array in the area. */
export const CORE_TLB = 1024;
/** Bytes of the core's area (one WebAssembly page). */
export const CORE_AREA_BYTES = 65536;

export interface GuestMemory {
  readonly memory: WebAssembly.Memory;
  /** Byte offset of the core's area (= the RAM size). */
  readonly coreBase: number;
}

/** A memory for `ramSize` bytes of RAM (a multiple of 64 KB) and the core's area. */
export function guestMemory(ramSize: number): GuestMemory {
  if (ramSize % 65536 !== 0) throw new Error(`RAM of ${ramSize} bytes is not a whole number of 64 KB pages`);
  const pages = ramSize / 65536 + CORE_AREA_BYTES / 65536;
  return { memory: new WebAssembly.Memory({ initial: pages, maximum: pages }), coreBase: ramSize };
}
