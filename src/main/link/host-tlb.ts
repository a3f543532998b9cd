// The host TLB of one physical core, shared by the guests of a session whose
// hypervisor policy puts their vCPUs on that one core (hostTlb: 'shared').
// Shared memory between the guests' workers: every worker writes it when it
// installs a shadow entry and reads it to learn which of its shadows another
// guest has evicted. The session creates it; the workers only attach.
//
// It holds no translations, only who owns each slot: the shadows themselves
// stay in each worker's own TLB model. Layout (Int32 words):
//   [0 .. SLOTS)              generation of each slot (bumped by every claim)
//   [SLOTS .. 2*SLOTS)        LPID of the slot's owner (0: free)
//   [2*SLOTS .. +128)         next-victim way of each TLB0 set (round robin)
//   [2*SLOTS + 128]           next TLB1 shadow slot (round robin)
// A slot is a hardware TLB index: 0..511 TLB0 (set * 4 + way), 512.. TLB1.
// Claims are Atomics operations, so two workers never both believe they own
// a slot; when one learns of an eviction depends on when it looks (between
// slices), so shared-core counts are not repeatable run to run.

export const HOST_TLB0_SETS = 128;
export const HOST_TLB0_WAYS = 4;
export const HOST_SLOTS = 512 + 64;
const NV = 2 * HOST_SLOTS;
const TLB1_NEXT = NV + HOST_TLB0_SETS;
const WORDS = TLB1_NEXT + 1;

export function createHostTlb(): SharedArrayBuffer {
  return new SharedArrayBuffer(WORDS * 4);
}

/** Where a hypervisor puts its shadows and learns of their eviction. */
export interface HostTlbSlots {
  /** The way of TLB0 set `set` a new 4 KB shadow goes to (round robin). */
  victimWay(set: number): number;
  /** The next host TLB1 slot (0..count-1) for a larger shadow (round robin). */
  nextTlb1Slot(count: number): number;
  /** `lpid` now owns hardware slot h; returns the slot's new generation. */
  claim(h: number, lpid: number): number;
  /** The slot's current generation: different from what the owner got from claim() once someone else took it. */
  generation(h: number): number;
  /** True when guests other than the caller use these slots (so evictions can come from outside). */
  readonly shared: boolean;
}

/** A core of the guest's own (its vCPU pinned): nobody else claims its slots. */
export class PrivateHostTlb implements HostTlbSlots {
  readonly shared = false;
  private readonly nv = new Uint8Array(HOST_TLB0_SETS);
  private tlb1 = 0;
  private readonly gens = new Int32Array(HOST_SLOTS);

  victimWay(set: number): number {
    const way = this.nv[set]!;
    this.nv[set] = (way + 1) & (HOST_TLB0_WAYS - 1);
    return way;
  }

  nextTlb1Slot(count: number): number {
    const slot = this.tlb1;
    this.tlb1 = (this.tlb1 + 1) % count;
    return slot;
  }

  claim(h: number): number {
    return ++this.gens[h]!;
  }

  generation(h: number): number {
    return this.gens[h]!;
  }
}

/** One core's TLB shared through a SharedArrayBuffer made by createHostTlb(). */
export class SharedHostTlb implements HostTlbSlots {
  readonly shared = true;
  private readonly words: Int32Array;

  constructor(sab: SharedArrayBuffer) {
    this.words = new Int32Array(sab);
    if (this.words.length !== WORDS) throw new Error(`host TLB block has ${this.words.length} words, expected ${WORDS}`);
  }

  victimWay(set: number): number {
    return Atomics.add(this.words, NV + set, 1) & (HOST_TLB0_WAYS - 1);
  }

  nextTlb1Slot(count: number): number {
    return (Atomics.add(this.words, TLB1_NEXT, 1) >>> 0) % count;
  }

  claim(h: number, lpid: number): number {
    Atomics.store(this.words, HOST_SLOTS + h, lpid);
    return Atomics.add(this.words, h, 1) + 1;
  }

  generation(h: number): number {
    return Atomics.load(this.words, h);
  }

  /** The LPID owning slot h (0: free), for tools. */
  owner(h: number): number {
    return Atomics.load(this.words, HOST_SLOTS + h);
  }
}
