// Where a guest's RAM and its cores' hottest state live: one WebAssembly
// memory, RAM from address 0 and one area per core (vCPU) after it, so that
// code the translator compiles to WebAssembly (wasm-jit.ts) reaches both with
// plain loads and stores. JavaScript sees the same bytes through typed-array
// views. Core k's area starts at the RAM size + k x CORE_AREA_BYTES.
//
// A core's area, in 32-bit words from its start:
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

/** The most cores a guest memory has areas for (QEMU's ppce500 takes -smp 1..8 here too). */
export const MAX_CORES = 8;

export interface GuestMemory {
  readonly memory: WebAssembly.Memory;
  /** Byte offset of core 0's area (= the RAM size); core k's is k x CORE_AREA_BYTES further. */
  readonly coreBase: number;
  /** How many core areas follow RAM. */
  readonly cores: number;
}

/** A memory for `ramSize` bytes of RAM (a multiple of 64 KB) and `cores` core areas. */
export function guestMemory(ramSize: number, cores = 1): GuestMemory {
  if (ramSize % 65536 !== 0) throw new Error(`RAM of ${ramSize} bytes is not a whole number of 64 KB pages`);
  if (!Number.isInteger(cores) || cores < 1 || cores > MAX_CORES) throw new Error(`a guest has 1 to ${MAX_CORES} cores (got ${cores})`);
  const pages = ramSize / 65536 + (cores * CORE_AREA_BYTES) / 65536;
  return { memory: new WebAssembly.Memory({ initial: pages, maximum: pages }), coreBase: ramSize, cores };
}

/** Byte offset of core `index`'s area. */
export function coreAreaBase(mem: GuestMemory, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= mem.cores) throw new Error(`no core ${index} in a memory with ${mem.cores} core area(s)`);
  return mem.coreBase + index * CORE_AREA_BYTES;
}
