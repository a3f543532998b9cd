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
//              budget at its start, an SPR watch being armed; for the
//              WebAssembly interpreter (wasm-interp.ts) the code page's RAM
//              address, the address after its last instruction, why it
//              stopped, the page's heat counts' address, the translation
//              threshold, an interrupt check due (irqPoll, after a slow load)
//   48..59     the time base's state as six doubles (CORE_TB_F64, Timers.exportTimeBase)
//   60, 61     the lwarx reservation (address, value) while the WebAssembly interpreter runs
//   62         Cpu.fetchEpoch at the start of its run
//   63         the instructions of its run that ran in regions it called itself
//   64         regions may be called directly in this run (no debugger watching SPRs)
//   65         while it calls a region, the instructions it ran before the call (added to a fault's jitBase)
//   66         the code-line map's byte address (below)
//   1024..     the soft TLB's read tags and values, then the write tags and values (SOFT_TLB_SIZE each)
//   8192..     the WebAssembly interpreter's page links (PAGE_LINKS entries of 4 words: effective page, fetch
//              epoch, RAM address, heat counts' address): code pages the interpreter fetched, which the
//              WebAssembly interpreter goes on into when a branch or the end of a page leaves one (valid while
//              the fetch epoch is the same). A Linux boot's runs: 63 k with 64 links, 35 k with 512.
//
// After the cores' areas, each core's heat arena: heatSlots(mem) pages of
// 1,024 Int32 counts, the translator's heat of one code page each (jit.ts
// JitPage.hot), handed out as the core first runs code on a page, so that the
// WebAssembly interpreter (wasm-interp.ts) counts what it runs itself. A core
// that runs code on more pages than that counts the rest in JavaScript arrays
// (the interpreter runs them in JavaScript). The OS backs a page of the
// memory only once it is touched.
//
// Last, the guest's code-line map: a byte for each 64 bytes of RAM,
// not zero while an instruction word in that line has been decoded (Cpu:
// the interpreters' decoded slots and the translator's regions are made
// only from decoded words). A store to a page of code takes the soft TLB's
// slow path, but a store to a line of it that holds no decoded word has
// nothing to invalidate: the WebAssembly makes it itself, and the core skips
// the invalidation (a small program's data sharing a page with its code:
// intmix's list nodes).

/** Exchange slots between translated WebAssembly and the core (word index in the area). */
export const CORE_SLOT = { CR: 32, CTR: 33, LR: 34, SO: 35, CA: 36, OV: 37, RAN: 38, FAULT: 39, SLICE: 40, WATCH: 41, CODE: 42, SEQ: 43, STOP: 44, HEAT: 45, THRESHOLD: 46, IRQ: 47, RES_ADDR: 60, RES_VALUE: 61, EPOCH: 62, JIT_RAN: 63, DIRECT: 64, OUTER: 65, CODE_LINES: 66 } as const;
/** Index (in doubles) of the time base's state in the area: ticks, remainder, multiplier, denominator, offset low, offset high. */
export const CORE_TB_F64 = 24;
/** Word index of the WebAssembly interpreter's page links in the area, and their number (a power of two). */
export const CORE_PAGE_LINKS = 8192;
export const PAGE_LINKS = 512;
/** Word index of the first soft-TLB array in the area. */
export const CORE_TLB = 1024;
/**
 * A soft-TLB tag: the page's effective address (EA & ~0xFFF), the
 * translation key in bits 2-3 (MSR[PR] and MSR[DS], or MSR[IS] for the
 * instruction cache: Cpu.dKey, iKey, shifted by KEY_SHIFT), the flags
 * below; -1 when empty. An access of `size` bytes at EA hits when the tag
 * equals (EA & (0xFFFFF000 | (size - 1))) | key: one comparison checks the
 * page, the key and the alignment (bits 0-1 of a tag are zero). A data
 * entry's value is the page's RAM address less its effective address (RAM
 * address = value + EA, modulo 2^32), a device page's its physical page
 * number (TAG_MMIO); the instruction cache's value is the page's RAM address.
 */
export const KEY_SHIFT = 2;
/** What of an access's EA its soft-TLB tag must equal, the key ORed in: the page and the low bits an aligned access of `size` bytes has clear. */
export const tagMask = (size: number): number => (0xFFFFF000 | (size - 1)) | 0;
/** Soft-TLB tag flag: the page is device memory (the value is its physical page number). */
export const TAG_MMIO = 0x10;
/** Soft-TLB tag flag (write cache): the page holds decoded instructions (stores to it take the slow path). */
export const TAG_CODE = 0x20;
/** Bytes of the core's area (one WebAssembly page). */
export const CORE_AREA_BYTES = 65536;

/** The most cores a guest memory has areas for (QEMU's ppce500 takes -smp 1..8 here too). */
export const MAX_CORES = 8;

/** Code pages a core's heat arena holds at most (a Linux boot runs code on about 650; 8 MB). */
export const HEAT_SLOTS_MAX = 2048;
/** Bytes of one page's heat counts. */
export const HEAT_PAGE_BYTES = 4096;
/** log2 of the bytes of RAM one byte of the code-line map covers (64: a cache line). */
export const CODE_LINE_SHIFT = 6;

export interface GuestMemory {
  readonly memory: WebAssembly.Memory;
  /** Byte offset of core 0's area (= the RAM size); core k's is k x CORE_AREA_BYTES further. */
  readonly coreBase: number;
  /** How many core areas follow RAM. */
  readonly cores: number;
  /** Pages of heat counts each core's arena holds (no more than RAM has pages). */
  readonly heatSlots: number;
  /** Byte offset of the code-line map (ramSize >>> CODE_LINE_SHIFT bytes), after the heat arenas. */
  readonly codeLineBase: number;
}

/** A memory for `ramSize` bytes of RAM (a multiple of 64 KB), `cores` core areas and their heat arenas. */
export function guestMemory(ramSize: number, cores = 1): GuestMemory {
  if (ramSize % 65536 !== 0) throw new Error(`RAM of ${ramSize} bytes is not a whole number of 64 KB pages`);
  if (!Number.isInteger(cores) || cores < 1 || cores > MAX_CORES) throw new Error(`a guest has 1 to ${MAX_CORES} cores (got ${cores})`);
  const heatSlots = Math.min(HEAT_SLOTS_MAX, ramSize / HEAT_PAGE_BYTES);
  const codeLineBase = ramSize + cores * (CORE_AREA_BYTES + heatSlots * HEAT_PAGE_BYTES);
  const pages = codeLineBase / 65536 + Math.ceil((ramSize >>> CODE_LINE_SHIFT) / 65536);
  return { memory: new WebAssembly.Memory({ initial: pages, maximum: pages }), coreBase: ramSize, cores, heatSlots, codeLineBase };
}

/** Byte offset of core `index`'s heat arena (after every core's area). */
export function heatArenaBase(mem: GuestMemory, index: number): number {
  coreAreaBase(mem, index);
  return mem.coreBase + mem.cores * CORE_AREA_BYTES + index * mem.heatSlots * HEAT_PAGE_BYTES;
}

/** Byte offset of core `index`'s area. */
export function coreAreaBase(mem: GuestMemory, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= mem.cores) throw new Error(`no core ${index} in a memory with ${mem.cores} core area(s)`);
  return mem.coreBase + index * CORE_AREA_BYTES;
}
