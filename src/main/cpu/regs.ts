// Bit layouts of the e500mc's architected registers (32-bit masks).
// Source: shared/reference/booke-hv-facts.md sections 3-6 (Linux reg_booke.h,
// libos core-regs.h, QEMU cpu.h).

export const MSR = {
  GS: 0x10000000,
  UCLE: 0x04000000,
  WE: 0x00040000,
  CE: 0x00020000,
  EE: 0x00008000,
  PR: 0x00004000,
  FP: 0x00002000,
  ME: 0x00001000,
  FE0: 0x00000800,
  DE: 0x00000200,
  FE1: 0x00000100,
  IS: 0x00000020,
  DS: 0x00000010,
  PMM: 0x00000004,
  RI: 0x00000002,
} as const;

/** MSR bits an e500mc implements (QEMU's e500mc msr_mask: no WE, no SPE). */
export const MSR_MASK = MSR.GS | MSR.UCLE | MSR.CE | MSR.EE | MSR.PR | MSR.FP | MSR.ME | MSR.FE0
  | MSR.DE | MSR.FE1 | MSR.IS | MSR.DS | MSR.PMM | MSR.RI;

export const ESR = {
  PIL: 0x08000000,
  PPR: 0x04000000,
  PTR: 0x02000000,
  FP: 0x01000000,
  ST: 0x00800000,
  DLK: 0x00200000,
  ILK: 0x00100000,
  AP: 0x00080000,
  PUO: 0x00040000,
  BO: 0x00020000,
  PIE: 0x00010000,
  DATA: 0x00000400,
  TLBI: 0x00000200,
  PT: 0x00000100,
  SPV: 0x00000080,
  EPID: 0x00000040,
} as const;

/** Interrupt vector offset register index (IVORn) of each interrupt. */
export const IVOR = {
  CRITICAL: 0,
  MACHINE_CHECK: 1,
  DSI: 2,
  ISI: 3,
  EXTERNAL: 4,
  ALIGNMENT: 5,
  PROGRAM: 6,
  FP_UNAVAILABLE: 7,
  SYSCALL: 8,
  AP_UNAVAILABLE: 9,
  DECREMENTER: 10,
  FIT: 11,
  WATCHDOG: 12,
  DTLB: 13,
  ITLB: 14,
  DEBUG: 15,
  PERFMON: 35,
  DOORBELL: 36,
  DOORBELL_CRIT: 37,
  GUEST_DOORBELL: 38,
  GUEST_DOORBELL_CRIT: 39,
  HV_SYSCALL: 40,
  HV_PRIVILEGE: 41,
} as const;

export const TCR = {
  WP: 0xC0000000,
  WRC: 0x30000000,
  WIE: 0x08000000,
  DIE: 0x04000000,
  FP: 0x03000000,
  FIE: 0x00800000,
  ARE: 0x00400000,
  WPEXT: 0x001E0000,
  FPEXT: 0x0001E000,
} as const;

export const TSR = {
  ENW: 0x80000000 | 0,
  WIS: 0x40000000,
  WRS: 0x30000000,
  DIS: 0x08000000,
  FIS: 0x04000000,
} as const;

export const MAS = {
  // MAS0
  TLBSEL: 0x10000000,
  ESEL_SHIFT: 16,
  ESEL_MASK: 0x003F0000,
  NV_MASK: 0x00000FFF,
  // MAS1
  V: 0x80000000 | 0,
  IPROT: 0x40000000,
  TID_SHIFT: 16,
  TID_MASK: 0x00FF0000,
  TS: 0x00001000,
  TSIZE_SHIFT: 7,
  TSIZE_MASK: 0x00000F80,
  // MAS2
  EPN_MASK: 0xFFFFF000 | 0,
  WIMGE_MASK: 0x0000007F,
  // MAS3
  RPN_MASK: 0xFFFFF000 | 0,
  U_MASK: 0x000003C0,
  UX: 0x20, SX: 0x10, UW: 0x08, SW: 0x04, UR: 0x02, SR: 0x01,
  // MAS4
  TLBSELD: 0x10000000,
  TSIZED_MASK: 0x00000F80,
  // MAS6
  SPID_SHIFT: 16,
  SPID_MASK: 0x00FF0000,
  SAS: 0x00000001,
  // MAS8
  TGS: 0x80000000 | 0,
  VF: 0x40000000,
  TLPID_MASK: 0x000000FF,
} as const;

export const EPCR = {
  EXTGS: 0x80000000 | 0,
  DTLBGS: 0x40000000,
  ITLBGS: 0x20000000,
  DSIGS: 0x10000000,
  ISIGS: 0x08000000,
  DUVD: 0x04000000,
  ICM: 0x02000000,
  GICM: 0x01000000,
  DGTMI: 0x00800000,
  DMIUH: 0x00400000,
} as const;

/** e500mc processor version register value (QEMU's e500mc model). */
export const PVR_E500MC = 0x80230020 | 0;
/** System version register: QEMU 7.2 leaves it 0 on ppce500 with -cpu e500mc (U-Boot prints "CPU: Unknown, Version: 0.0, (0x00000000)"). */
export const SVR_PPCE500 = 0;
