// The SPR catalog: every special purpose register of an e500mc-class core that
// the lab models, with what Power ISA 2.06 (as e500mc implements it) does with
// it when a guest runs. It is the only list of SPRs in the project: the CPU's
// mfspr/mtspr dispatch, the hypervisor's emulation, the presets, the statistics
// and the hardware panel all read it.
//
// Facts: ../../../shared/reference/booke-hv-facts.md sections 1-2 (SPR numbers
// from Linux reg_booke.h and libos core-regs.h; which registers e500mc gives
// guest copies, shares, or traps, from KVM e500mc.c/booke_emulate.c and Topaz).

/** How the virtual hardware treats a guest's access to one SPR. */
export type Strategy =
  /** A guest copy in hardware (like GSRR0): no exit, costs die bits. */
  | 'duplicate'
  /** The guest uses the one physical register; the hypervisor saves and restores it on a guest switch. */
  | 'shared'
  /** Switched through memory on every entry and exit (VMCS-like): no exit per access, cost per exit. */
  | 'transfer'
  /** A guest access raises a hypervisor privilege exit; the hypervisor emulates it. */
  | 'trap';

export const STRATEGIES: readonly Strategy[] = ['duplicate', 'shared', 'transfer', 'trap'];

export type SprPrivilege = 'user' | 'supervisor' | 'hypervisor';
export type SprAccess = 'rw' | 'ro' | 'wo';

/**
 * What an SPR is to a guest when it is not configurable:
 * - `guest`: part of the user register file (XER, LR, CTR); always the guest's own, switched with the GPRs.
 * - `direct`: read directly by everyone (the time base); nothing to virtualize.
 * - `hypervisor`: exists only for the hypervisor (EPCR, LPIDR, the G* copies); a guest access is refused.
 * - `alias`: another number for a register listed elsewhere (SPRG4R reads SPRG4); follows that register.
 */
export type FixedKind = 'guest' | 'direct' | 'hypervisor' | 'alias';

export type SprGroup =
  | 'fast-path' | 'scratch' | 'interrupt-setup' | 'save-restore' | 'timer'
  | 'mmu' | 'debug' | 'config' | 'user' | 'hypervisor';

export const SPR_GROUPS: readonly { id: SprGroup; label: string; note: string }[] = [
  { id: 'fast-path', label: 'Fast path', note: 'Touched on every interrupt entry and exit; 2.06 duplicates these.' },
  { id: 'scratch', label: 'Scratch', note: 'Kernel scratch and per-CPU pointers (SPRG); 4-7 are shared on e500mc.' },
  { id: 'interrupt-setup', label: 'Interrupt vectors', note: 'Written at initialisation; 2.06 keeps guest copies for delivery but traps guest writes.' },
  { id: 'save-restore', label: 'Critical, debug and machine-check save/restore', note: 'Rarely used pairs; trapped and emulated in 2.06.' },
  { id: 'timer', label: 'Timers', note: 'Decrementer, timer control and status; emulated by the hypervisor in 2.06.' },
  { id: 'mmu', label: 'MMU', note: 'PID and MAS registers are shared; configuration registers trap.' },
  { id: 'debug', label: 'Debug', note: 'Debug control, status and address compare; trapped in 2.06.' },
  { id: 'config', label: 'Configuration and identification', note: 'Written once or read-only identification; trapped in 2.06.' },
  { id: 'user', label: 'User level', note: 'The user register file and read-only views; never virtualized.' },
  { id: 'hypervisor', label: 'Hypervisor only', note: 'The Embedded.Hypervisor category\'s own registers; guests never see them.' },
];

export interface SprInfo {
  /** SPR number as encoded in mfspr/mtspr. */
  readonly num: number;
  readonly name: string;
  readonly width: 32 | 64;
  /** Lowest privilege that may access it (numbers with bit 0x10 set are privileged). */
  readonly priv: SprPrivilege;
  readonly access: SprAccess;
  readonly group: SprGroup;
  /** Power ISA 2.06 gives it a hardware guest copy (the name of the copy, e.g. GSRR0). */
  readonly guestCopy?: string;
  /** Strategy in the "Power ISA 2.06" preset, for configurable registers. */
  readonly isa206?: Strategy;
  /** Strategies the virtual hardware may use for it; empty for fixed registers. */
  readonly allowed: readonly Strategy[];
  /** Why it is not configurable (fixed registers only). */
  readonly fixed?: FixedKind;
  /** For aliases: the register it reads or writes. */
  readonly aliasOf?: string;
  /** Bits a hardware guest copy costs. */
  readonly dieBits: number;
  readonly description: string;
}

const ALL: readonly Strategy[] = ['duplicate', 'shared', 'transfer', 'trap'];
/** Registers the hypervisor itself uses or whose writes have side effects: no sharing. */
const NO_SHARE: readonly Strategy[] = ['duplicate', 'transfer', 'trap'];
/** Read-only identification and configuration: nothing to transfer. */
const READ_ONLY: readonly Strategy[] = ['duplicate', 'shared', 'trap'];

interface Row {
  num: number; name: string; group: SprGroup; description: string;
  access?: SprAccess; priv?: SprPrivilege; width?: 32 | 64;
  isa206?: Strategy; allowed?: readonly Strategy[]; guestCopy?: string;
  fixed?: FixedKind; aliasOf?: string;
}

function privilegeOf(num: number): SprPrivilege {
  return num & 0x10 ? 'supervisor' : 'user';
}

function build(r: Row): SprInfo {
  const fixed = r.fixed;
  const width = r.width ?? 32;
  return Object.freeze({
    num: r.num,
    name: r.name,
    width,
    priv: r.priv ?? (fixed === 'hypervisor' ? 'hypervisor' : privilegeOf(r.num)),
    access: r.access ?? 'rw',
    group: r.group,
    ...(r.guestCopy ? { guestCopy: r.guestCopy } : {}),
    ...(fixed ? { fixed } : { isa206: r.isa206 ?? 'trap' }),
    ...(r.aliasOf ? { aliasOf: r.aliasOf } : {}),
    allowed: fixed ? [] : (r.allowed ?? NO_SHARE),
    dieBits: fixed ? 0 : width,
    description: r.description,
  });
}

const fast = (num: number, name: string, copy: string, description: string, access: SprAccess = 'rw'): Row =>
  ({ num, name, group: 'fast-path', isa206: 'duplicate', guestCopy: copy, description, access,
     allowed: access === 'ro' ? READ_ONLY : NO_SHARE });
const hv = (num: number, name: string, description: string, group: SprGroup = 'hypervisor'): Row =>
  ({ num, name, group, fixed: 'hypervisor', description });
const ivor = (n: number, num: number, what: string, copy?: string): Row =>
  ({ num, name: `IVOR${n}`, group: 'interrupt-setup', isa206: 'trap', description: `Vector offset: ${what}`,
     ...(copy ? { guestCopy: copy } : {}) });
const shared = (num: number, name: string, group: SprGroup, description: string): Row =>
  ({ num, name, group, isa206: 'shared', allowed: ALL, description });

const ROWS: Row[] = [
  // User register file and user-readable views.
  { num: 1, name: 'XER', group: 'user', fixed: 'guest', description: 'Fixed-point exception register: SO, OV, CA and string byte count' },
  { num: 8, name: 'LR', group: 'user', fixed: 'guest', description: 'Link register: branch-and-link return address' },
  { num: 9, name: 'CTR', group: 'user', fixed: 'guest', description: 'Count register: loop counter and indirect branch target' },
  shared(256, 'USPRG0', 'scratch', 'User SPR general 0 (VRSAVE): user-writable scratch, shared on e500mc'),
  { num: 259, name: 'SPRG3R', group: 'user', fixed: 'alias', aliasOf: 'SPRG3', access: 'ro', description: 'User read-only view of SPRG3' },
  { num: 260, name: 'SPRG4R', group: 'user', fixed: 'alias', aliasOf: 'SPRG4', access: 'ro', description: 'User read-only view of SPRG4' },
  { num: 261, name: 'SPRG5R', group: 'user', fixed: 'alias', aliasOf: 'SPRG5', access: 'ro', description: 'User read-only view of SPRG5' },
  { num: 262, name: 'SPRG6R', group: 'user', fixed: 'alias', aliasOf: 'SPRG6', access: 'ro', description: 'User read-only view of SPRG6' },
  { num: 263, name: 'SPRG7R', group: 'user', fixed: 'alias', aliasOf: 'SPRG7', access: 'ro', description: 'User read-only view of SPRG7' },
  { num: 268, name: 'TBL', group: 'user', fixed: 'direct', access: 'ro', description: 'Time base lower 32 bits (read)' },
  { num: 269, name: 'TBU', group: 'user', fixed: 'direct', access: 'ro', description: 'Time base upper 32 bits (read)' },
  { num: 526, name: 'ATBL', group: 'user', fixed: 'direct', access: 'ro', description: 'Alternate time base lower (core clock count, read)' },
  { num: 527, name: 'ATBU', group: 'user', fixed: 'direct', access: 'ro', description: 'Alternate time base upper (read)' },

  // Fast path: what Power ISA 2.06 duplicates.
  fast(26, 'SRR0', 'GSRR0', 'Save/restore 0: address to return to after an interrupt'),
  fast(27, 'SRR1', 'GSRR1', 'Save/restore 1: MSR at the interrupt'),
  fast(61, 'DEAR', 'GDEAR', 'Data exception address of a storage, alignment or TLB interrupt'),
  fast(62, 'ESR', 'GESR', 'Exception syndrome: why a program, storage or alignment interrupt happened'),
  fast(286, 'PIR', 'GPIR', 'Processor identification (reads see the guest\'s virtual CPU number)', 'ro'),
  fast(702, 'EPR', 'GEPR', 'External proxy: vector of the interrupt the core acknowledged', 'ro'),
  { num: 272, name: 'SPRG0', group: 'fast-path', isa206: 'duplicate', guestCopy: 'GSPRG0', description: 'Kernel scratch 0: the first register an interrupt prologue saves' },
  { num: 273, name: 'SPRG1', group: 'fast-path', isa206: 'duplicate', guestCopy: 'GSPRG1', description: 'Kernel scratch 1 (Linux: saved r11 / PACA on 64-bit)' },
  { num: 274, name: 'SPRG2', group: 'fast-path', isa206: 'duplicate', guestCopy: 'GSPRG2', description: 'Kernel scratch 2 (Linux: critical prologue scratch)' },
  { num: 275, name: 'SPRG3', group: 'fast-path', isa206: 'duplicate', guestCopy: 'GSPRG3', description: 'Kernel scratch 3, user-readable as SPRG3R (Linux: thread pointer)' },

  // Scratch registers e500mc shares between hypervisor and guest.
  shared(276, 'SPRG4', 'scratch', 'Kernel scratch 4, user-readable (Linux: TLB-miss scratch)'),
  shared(277, 'SPRG5', 'scratch', 'Kernel scratch 5, user-readable (Linux: TLB-miss scratch)'),
  shared(278, 'SPRG6', 'scratch', 'Kernel scratch 6, user-readable'),
  shared(279, 'SPRG7', 'scratch', 'Kernel scratch 7, user-readable (Linux: TLB-miss scratch)'),
  { num: 604, name: 'SPRG8', group: 'scratch', allowed: ALL, description: 'Kernel scratch 8 (Linux 64-bit: machine-check scratch)' },
  // KVM treats SPRG9 like SPRG4-7: the guest uses it directly and KVM saves it on every exit (bookehv_interrupts.S).
  shared(605, 'SPRG9', 'scratch', 'Kernel scratch 9 (Linux: debug prologue scratch); shared on e500mc'),

  // Interrupt vectors: 2.06 keeps guest copies (GIVPR, GIVORn) for delivery, but guest writes trap.
  { num: 63, name: 'IVPR', group: 'interrupt-setup', isa206: 'trap', guestCopy: 'GIVPR', description: 'Interrupt vector prefix: upper 16 bits of every vector address' },
  ivor(0, 400, 'critical input'), ivor(1, 401, 'machine check'), ivor(2, 402, 'data storage', 'GIVOR2'),
  ivor(3, 403, 'instruction storage', 'GIVOR3'), ivor(4, 404, 'external input', 'GIVOR4'), ivor(5, 405, 'alignment'),
  ivor(6, 406, 'program'), ivor(7, 407, 'floating-point unavailable'), ivor(8, 408, 'system call', 'GIVOR8'),
  ivor(9, 409, 'auxiliary processor unavailable'), ivor(10, 410, 'decrementer'), ivor(11, 411, 'fixed-interval timer'),
  ivor(12, 412, 'watchdog timer'), ivor(13, 413, 'data TLB error', 'GIVOR13'), ivor(14, 414, 'instruction TLB error', 'GIVOR14'),
  ivor(15, 415, 'debug'), ivor(32, 528, 'SPE/embedded FP unavailable (no SPE on e500mc)'),
  ivor(33, 529, 'embedded FP data (no SPE on e500mc)'), ivor(34, 530, 'embedded FP round (no SPE on e500mc)'),
  ivor(35, 531, 'performance monitor'), ivor(36, 532, 'processor doorbell'),
  ivor(37, 533, 'processor doorbell critical'),

  // Save/restore pairs of the other interrupt classes.
  { num: 58, name: 'CSRR0', group: 'save-restore', description: 'Critical save/restore 0: return address of a critical interrupt' },
  { num: 59, name: 'CSRR1', group: 'save-restore', description: 'Critical save/restore 1: MSR at a critical interrupt' },
  { num: 570, name: 'MCSRR0', group: 'save-restore', description: 'Machine-check save/restore 0' },
  { num: 571, name: 'MCSRR1', group: 'save-restore', description: 'Machine-check save/restore 1' },
  { num: 572, name: 'MCSR', group: 'save-restore', description: 'Machine-check syndrome (write 1 to clear)' },
  { num: 573, name: 'MCAR', group: 'save-restore', access: 'ro', allowed: READ_ONLY, description: 'Machine-check address' },
  { num: 574, name: 'DSRR0', group: 'save-restore', description: 'Debug save/restore 0' },
  { num: 575, name: 'DSRR1', group: 'save-restore', description: 'Debug save/restore 1' },

  // Timers.
  { num: 22, name: 'DEC', group: 'timer', description: 'Decrementer: counts down at the time-base rate, interrupts at zero' },
  { num: 54, name: 'DECAR', group: 'timer', access: 'wo', description: 'Decrementer auto-reload value' },
  { num: 340, name: 'TCR', group: 'timer', description: 'Timer control: watchdog, decrementer and fixed-interval enables and periods' },
  { num: 336, name: 'TSR', group: 'timer', description: 'Timer status (write 1 to clear): DIS, FIS, WIS, ENW' },
  { num: 284, name: 'TBWL', group: 'timer', access: 'wo', description: 'Time base lower (write)' },
  { num: 285, name: 'TBWU', group: 'timer', access: 'wo', description: 'Time base upper (write)' },

  // MMU.
  shared(48, 'PID', 'mmu', 'Process ID: the translation ID matched against TLB entries'),
  shared(624, 'MAS0', 'mmu', 'MMU assist 0: TLB select, entry select, next victim'),
  shared(625, 'MAS1', 'mmu', 'MMU assist 1: valid, IPROT, TID, TS, page size'),
  shared(626, 'MAS2', 'mmu', 'MMU assist 2: effective page number and WIMGE'),
  shared(627, 'MAS3', 'mmu', 'MMU assist 3: real page number and permissions'),
  shared(628, 'MAS4', 'mmu', 'MMU assist 4: defaults loaded on a TLB miss'),
  shared(630, 'MAS6', 'mmu', 'MMU assist 6: search PID and address space for tlbsx'),
  shared(944, 'MAS7', 'mmu', 'MMU assist 7: upper bits of the real page number (36-bit)'),
  { num: 1012, name: 'MMUCSR0', group: 'mmu', description: 'MMU control and status: TLB flash invalidate' },
  { num: 1015, name: 'MMUCFG', group: 'mmu', access: 'ro', allowed: READ_ONLY, description: 'MMU configuration: number of TLBs, PID size, real address size' },
  { num: 688, name: 'TLB0CFG', group: 'mmu', access: 'ro', allowed: READ_ONLY, description: 'TLB0 configuration: entries, associativity, page sizes' },
  { num: 689, name: 'TLB1CFG', group: 'mmu', access: 'ro', allowed: READ_ONLY, description: 'TLB1 configuration: entries, associativity, page sizes' },
  { num: 947, name: 'EPLC', group: 'mmu', description: 'External PID load context (for external-PID loads)' },
  { num: 948, name: 'EPSC', group: 'mmu', description: 'External PID store context (for external-PID stores)' },

  // Debug.
  { num: 308, name: 'DBCR0', group: 'debug', description: 'Debug control 0: debug mode enables and event enables' },
  { num: 309, name: 'DBCR1', group: 'debug', description: 'Debug control 1: instruction address compare setup' },
  { num: 310, name: 'DBCR2', group: 'debug', description: 'Debug control 2: data address compare setup' },
  { num: 304, name: 'DBSR', group: 'debug', description: 'Debug status (write 1 to clear)' },
  { num: 312, name: 'IAC1', group: 'debug', description: 'Instruction address compare 1' },
  { num: 313, name: 'IAC2', group: 'debug', description: 'Instruction address compare 2' },
  { num: 316, name: 'DAC1', group: 'debug', description: 'Data address compare 1' },
  { num: 317, name: 'DAC2', group: 'debug', description: 'Data address compare 2' },

  // Configuration and identification.
  { num: 287, name: 'PVR', group: 'config', access: 'ro', isa206: 'trap', allowed: READ_ONLY, description: 'Processor version (e500mc: 0x80230020); KVM emulates guest reads (the vCPU\'s PVR)' },
  { num: 1023, name: 'SVR', group: 'config', access: 'ro', allowed: READ_ONLY, description: 'System version: identifies the SoC' },
  { num: 1008, name: 'HID0', group: 'config', description: 'Hardware implementation-dependent 0: core configuration' },
  { num: 1010, name: 'L1CSR0', group: 'config', description: 'L1 data cache control and status' },
  { num: 1011, name: 'L1CSR1', group: 'config', description: 'L1 instruction cache control and status' },
  // Read-only descriptions of the one physical cache: guests read them directly (KVM has no emulation for them).
  { num: 515, name: 'L1CFG0', group: 'config', access: 'ro', fixed: 'direct', description: 'L1 data cache configuration (read directly)' },
  { num: 516, name: 'L1CFG1', group: 'config', access: 'ro', fixed: 'direct', description: 'L1 instruction cache configuration (read directly)' },
  { num: 1013, name: 'BUCSR', group: 'config', description: 'Branch unit control and status' },

  // Hypervisor-only: the Embedded.Hypervisor category's own registers.
  hv(307, 'EPCR', 'Embedded processor control: which interrupts go straight to the guest'),
  hv(311, 'MSRP', 'MSR protect: MSR bits the guest may not change'),
  hv(338, 'LPIDR', 'Logical partition ID of the running guest (tags TLB entries)'),
  hv(339, 'MAS5', 'MMU assist 5: search guest state and LPID for tlbsx/tlbilx'),
  hv(341, 'MAS8', 'MMU assist 8: TGS, VF and TLPID written by tlbwe'),
  hv(306, 'DBSRWR', 'Debug status write: lets the hypervisor set guest debug status'),
  hv(368, 'GSPRG0', 'Guest copy of SPRG0'), hv(369, 'GSPRG1', 'Guest copy of SPRG1'),
  hv(370, 'GSPRG2', 'Guest copy of SPRG2'), hv(371, 'GSPRG3', 'Guest copy of SPRG3'),
  hv(378, 'GSRR0', 'Guest copy of SRR0'), hv(379, 'GSRR1', 'Guest copy of SRR1'),
  hv(380, 'GEPR', 'Guest copy of EPR'), hv(381, 'GDEAR', 'Guest copy of DEAR'),
  hv(382, 'GPIR', 'Guest copy of PIR'), hv(383, 'GESR', 'Guest copy of ESR'),
  hv(440, 'GIVOR2', 'Guest data storage vector offset'), hv(441, 'GIVOR3', 'Guest instruction storage vector offset'),
  hv(442, 'GIVOR4', 'Guest external input vector offset'), hv(443, 'GIVOR8', 'Guest system call vector offset'),
  hv(444, 'GIVOR13', 'Guest data TLB error vector offset'), hv(445, 'GIVOR14', 'Guest instruction TLB error vector offset'),
  hv(447, 'GIVPR', 'Guest interrupt vector prefix'),
  hv(432, 'IVOR38', 'Vector offset: guest processor doorbell', 'interrupt-setup'),
  hv(433, 'IVOR39', 'Vector offset: guest doorbell critical/machine check', 'interrupt-setup'),
  hv(434, 'IVOR40', 'Vector offset: hypervisor system call', 'interrupt-setup'),
  hv(435, 'IVOR41', 'Vector offset: hypervisor privilege', 'interrupt-setup'),
];

/** Every SPR the lab models, in catalog order. */
export const SPR_CATALOG: readonly SprInfo[] = Object.freeze(ROWS.map(build));

const byName = new Map(SPR_CATALOG.map((s) => [s.name, s]));
const byNum = new Map(SPR_CATALOG.map((s) => [s.num, s]));

export function sprByName(name: string): SprInfo | undefined {
  return byName.get(name.toUpperCase());
}

export function sprByNumber(num: number): SprInfo | undefined {
  return byNum.get(num);
}

/** SPRs whose strategy the virtual hardware lets the user choose. */
export const CONFIGURABLE_SPRS: readonly SprInfo[] = SPR_CATALOG.filter((s) => s.allowed.length > 0);

export function isConfigurable(s: SprInfo): boolean {
  return s.allowed.length > 0;
}
