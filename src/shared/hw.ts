// The virtual hardware's configuration: a strategy for every configurable SPR
// and a direction for every interrupt kind, the named presets, validation with
// clear errors, and the die-bit cost of a choice. Pure data and functions: the
// LabSession, the CPU, the CLI and the renderer all use this module.

import { LabFailure } from './result';
import { CONFIGURABLE_SPRS, type SprGroup, type SprInfo, type Strategy, sprByName, STRATEGIES } from './spr';

/** Interrupts whose delivery the hardware can send straight to the guest (no exit). */
export type InterruptKind =
  | 'external' | 'dsi' | 'isi' | 'dtlb' | 'itlb'
  | 'syscall' | 'alignment' | 'program' | 'fpunavail' | 'decrementer';

export interface InterruptInfo {
  readonly id: InterruptKind;
  readonly label: string;
  readonly ivor: number;
  /** The EPCR bit that directs it to the guest, where Power ISA 2.06 has one. */
  readonly epcr?: string;
  /** Architected in 2.06 (an EPCR bit, or always guest-directed); otherwise hypothetical hardware. */
  readonly architected: boolean;
  readonly description: string;
}

export const INTERRUPTS: readonly InterruptInfo[] = [
  { id: 'external', label: 'External input', ivor: 4, epcr: 'EXTGS', architected: true, description: 'Device interrupts through the (virtual) MPIC' },
  { id: 'dsi', label: 'Data storage', ivor: 2, epcr: 'DSIGS', architected: true, description: 'Data access permission faults' },
  { id: 'isi', label: 'Instruction storage', ivor: 3, epcr: 'ISIGS', architected: true, description: 'Instruction fetch permission faults' },
  { id: 'dtlb', label: 'Data TLB miss', ivor: 13, epcr: 'DTLBGS', architected: true, description: 'No TLB entry for a data address' },
  { id: 'itlb', label: 'Instruction TLB miss', ivor: 14, epcr: 'ITLBGS', architected: true, description: 'No TLB entry for an instruction address' },
  { id: 'syscall', label: 'System call', ivor: 8, architected: true, description: 'sc in the guest; 2.06 always delivers it to the guest' },
  { id: 'alignment', label: 'Alignment', ivor: 5, architected: false, description: 'Hypothetical: 2.06 sends alignment interrupts only to the hypervisor, which reflects them' },
  { id: 'program', label: 'Program', ivor: 6, architected: false, description: 'Hypothetical: illegal, privileged and trap instructions straight to the guest' },
  { id: 'fpunavail', label: 'FP unavailable', ivor: 7, architected: false, description: 'Hypothetical: lazy FP switching without an exit' },
  { id: 'decrementer', label: 'Decrementer', ivor: 10, architected: false, description: 'Hypothetical: a guest decrementer interrupt without an exit' },
];

export const INTERRUPT_KINDS: readonly InterruptKind[] = INTERRUPTS.map((i) => i.id);

/**
 * Choices the hypervisor's software makes where the hardware forces none.
 * The defaults are KVM's on e500mc; the alternatives are the hypothetical
 * hypervisors the lab compares it with.
 */
export interface HvPolicy {
  /**
   * entry: an interrupt that became pending during an exit is injected on the
   * way back into the guest, without another exit (KVM's
   * kvmppc_core_prepare_to_enter); exit: it reaches the guest through an exit
   * of its own (a guest doorbell), as a simpler hypervisor would do.
   */
  injection: 'entry' | 'exit';
  /**
   * exit: the shared registers (SPRG4-7, PID, MAS...) are saved on every exit
   * and restored on every entry (KVM's bookehv_interrupts.S); switch: lazily,
   * only when the core switches to another vCPU.
   */
  sharedSave: 'exit' | 'switch';
  /**
   * The page size backing guest RAM on the host, in KB: each shadow TLB entry
   * maps at most this much (KVM maps guest pages with the host page behind
   * them: 4 KB normally, more with huge pages).
   */
  hostPageKb: number;
  /**
   * private: each vCPU has a physical core, and so a host TLB, of its own
   * (pinned vCPUs); shared: the vCPUs of the session's guests with this policy
   * share one core's TLB, and their shadows evict each other (counts then
   * depend on how the guests interleave, so they are not repeatable).
   */
  hostTlb: 'private' | 'shared';
}

export const HOST_PAGE_SIZES_KB: readonly number[] = [4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];

export interface PolicyOption<T extends string | number> { readonly id: T; readonly label: string; readonly help: string }

export const POLICY_CHOICES = {
  injection: [
    { id: 'entry', label: 'On entry (KVM)', help: 'Interrupts that became pending during an exit are injected on the way back into the guest, without another exit.' },
    { id: 'exit', label: 'By an exit of their own', help: 'Each such interrupt reaches the guest through a guest doorbell exit.' },
  ],
  sharedSave: [
    { id: 'exit', label: 'Every exit (KVM)', help: 'Shared registers are saved on every exit and restored on every entry.' },
    { id: 'switch', label: 'On a vCPU switch (lazy)', help: 'Shared registers are switched only when the core changes vCPU.' },
  ],
  hostTlb: [
    { id: 'private', label: 'A core of its own', help: 'Each vCPU is pinned to a core: its host TLB is its own.' },
    { id: 'shared', label: 'One core for all guests', help: 'The session\'s guests share one core\'s TLB: their shadow entries evict each other (counts are not repeatable).' },
  ],
} as const satisfies Record<'injection' | 'sharedSave' | 'hostTlb', readonly PolicyOption<string>[]>;

/**
 * Parses the command line's form of a policy change,
 * "injection=exit,shared=switch,host-page=64" (host page in KB). Values are
 * checked by applyHwPatch; this only checks the keys and the number.
 */
export function parsePolicyText(text: string): NonNullable<HwConfigPatch['policy']> {
  const out: NonNullable<HwConfigPatch['policy']> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    switch (key) {
      case 'injection': out.injection = value; break;
      case 'shared': out.sharedSave = value; break;
      case 'host-tlb': out.hostTlb = value; break;
      case 'host-page': {
        const kb = Number(value.replace(/k$/i, ''));
        if (!Number.isInteger(kb)) throw new LabFailure('invalid-request', `host-page must be a size in KB (got "${value}")`, { field: 'policy.hostPageKb' });
        out.hostPageKb = kb;
        break;
      }
      default:
        throw new LabFailure('invalid-request', `Unknown policy "${key}". Policies: injection=entry|exit, shared=exit|switch, host-page=KB, host-tlb=private|shared`, { field: 'policy' });
    }
  }
  return out;
}

export function defaultPolicy(): HvPolicy {
  return { injection: 'entry', sharedSave: 'exit', hostPageKb: 4, hostTlb: 'private' };
}

export interface HwConfig {
  /** Strategy for every configurable SPR, by catalog name. */
  strategies: Record<string, Strategy>;
  /** true: delivered straight to the guest; false: exits to the hypervisor, which reflects it. */
  direct: Record<InterruptKind, boolean>;
  /** The hypervisor's software choices (not hardware: presets leave them alone). */
  policy: HvPolicy;
}

/** A partial change; names are checked against the catalog. */
export interface HwConfigPatch {
  strategies?: Record<string, string>;
  direct?: Record<string, boolean>;
  policy?: { injection?: string; sharedSave?: string; hostPageKb?: number; hostTlb?: string };
}

export type PresetId = 'isa206' | 'none' | 'all' | 'x86';

export interface PresetInfo {
  id: PresetId;
  label: string;
  description: string;
}

export const PRESETS: readonly PresetInfo[] = [
  { id: 'isa206', label: 'Power ISA 2.06 (e500mc)', description: 'What e500mc implements: SRR0/1, SPRG0-3, ESR, DEAR, PIR and EPR duplicated; SPRG4-7, SPRG9, USPRG0, PID and the MAS registers shared (KVM saves them on every exit); everything else traps, PVR included. Interrupt direction as KVM programs EPCR (DSIGS) with guest system calls direct.' },
  { id: 'none', label: 'Nothing duplicated', description: 'No guest copies in hardware: every register 2.06 duplicates traps instead, and every interrupt exits to the hypervisor.' },
  { id: 'all', label: 'Everything duplicated', description: 'A guest copy of every configurable register and every interrupt delivered to the guest: the upper bound of hardware help.' },
  { id: 'x86', label: 'x86-like (transfer)', description: 'VMCS-style: fast-path, scratch, MMU and vector registers switched through memory on every entry and exit; the rest traps. Guest faults and system calls direct; external and timer interrupts exit.' },
];

const DIRECT_206: Record<InterruptKind, boolean> = {
  external: false, dsi: true, isi: false, dtlb: false, itlb: false,
  syscall: true, alignment: false, program: false, fpunavail: false, decrementer: false,
};

const X86_TRANSFER_GROUPS: ReadonlySet<SprGroup> = new Set(['fast-path', 'scratch', 'mmu', 'interrupt-setup']);

function strategyFor(preset: PresetId, s: SprInfo): Strategy {
  const base = s.isa206 ?? 'trap';
  switch (preset) {
    case 'isa206':
      return base;
    case 'none':
      return base === 'duplicate' ? 'trap' : base;
    case 'all':
      return s.allowed.includes('duplicate') ? 'duplicate' : base;
    case 'x86':
      if (X86_TRANSFER_GROUPS.has(s.group) && s.allowed.includes('transfer')) return 'transfer';
      return s.allowed.includes('trap') ? 'trap' : base;
  }
}

function directFor(preset: PresetId): Record<InterruptKind, boolean> {
  const out = {} as Record<InterruptKind, boolean>;
  for (const k of INTERRUPT_KINDS) {
    switch (preset) {
      case 'isa206': out[k] = DIRECT_206[k]; break;
      case 'none': out[k] = false; break;
      case 'all': out[k] = true; break;
      case 'x86': out[k] = k !== 'external' && k !== 'decrementer'; break;
    }
  }
  return out;
}

export function isPresetId(id: string): id is PresetId {
  return PRESETS.some((p) => p.id === id);
}

export function presetConfig(preset: PresetId): HwConfig {
  const strategies: Record<string, Strategy> = {};
  for (const s of CONFIGURABLE_SPRS) strategies[s.name] = strategyFor(preset, s);
  return { strategies, direct: directFor(preset), policy: defaultPolicy() };
}

export function defaultHwConfig(): HwConfig {
  return presetConfig('isa206');
}

export function cloneHwConfig(c: HwConfig): HwConfig {
  return { strategies: { ...c.strategies }, direct: { ...c.direct }, policy: { ...c.policy } };
}

/** Same virtual hardware (strategies and interrupt direction; the hypervisor's policy is not hardware). */
export function sameHwConfig(a: HwConfig, b: HwConfig): boolean {
  return CONFIGURABLE_SPRS.every((s) => a.strategies[s.name] === b.strategies[s.name])
    && INTERRUPT_KINDS.every((k) => a.direct[k] === b.direct[k]);
}

/** The preset a configuration equals, or 'custom'. */
export function matchPreset(c: HwConfig): PresetId | 'custom' {
  for (const p of PRESETS) if (sameHwConfig(c, presetConfig(p.id))) return p.id;
  return 'custom';
}

/**
 * Applies a patch to a configuration, checking every name and value. Throws a
 * LabFailure (unknown-spr, strategy-not-allowed, unknown-interrupt) that names
 * what was wrong and lists what is valid; the input is never modified.
 */
export function applyHwPatch(base: HwConfig, patch: HwConfigPatch): HwConfig {
  const next = cloneHwConfig(base);
  for (const [name, strategy] of Object.entries(patch.strategies ?? {})) {
    const spr = sprByName(name);
    if (!spr) {
      throw new LabFailure('unknown-spr', `Unknown SPR "${name}". Configurable SPRs: ${CONFIGURABLE_SPRS.map((s) => s.name).join(', ')}`,
        { field: `strategies.${name}` });
    }
    if (spr.allowed.length === 0) {
      throw new LabFailure('strategy-not-allowed', `${spr.name} is not configurable: ${fixedReason(spr)}`, { field: `strategies.${name}` });
    }
    if (!(STRATEGIES as readonly string[]).includes(strategy)) {
      throw new LabFailure('strategy-not-allowed', `Unknown strategy "${strategy}" for ${spr.name}. Strategies: ${STRATEGIES.join(', ')}`,
        { field: `strategies.${name}`, allowed: spr.allowed });
    }
    if (!spr.allowed.includes(strategy as Strategy)) {
      throw new LabFailure('strategy-not-allowed', `${spr.name} cannot use "${strategy}"; allowed: ${spr.allowed.join(', ')}`,
        { field: `strategies.${name}`, allowed: spr.allowed });
    }
    next.strategies[spr.name] = strategy as Strategy;
  }
  for (const [kind, direct] of Object.entries(patch.direct ?? {})) {
    if (!(INTERRUPT_KINDS as readonly string[]).includes(kind)) {
      throw new LabFailure('unknown-interrupt', `Unknown interrupt "${kind}". Interrupts: ${INTERRUPT_KINDS.join(', ')}`, { field: `direct.${kind}` });
    }
    next.direct[kind as InterruptKind] = direct;
  }
  const pol = patch.policy ?? {};
  for (const key of ['injection', 'sharedSave', 'hostTlb'] as const) {
    const v = pol[key];
    if (v === undefined) continue;
    const choices = POLICY_CHOICES[key].map((o) => o.id as string);
    if (!choices.includes(v)) {
      throw new LabFailure('invalid-request', `Unknown ${key} policy "${v}". Choices: ${choices.join(', ')}`, { field: `policy.${key}` });
    }
    next.policy = { ...next.policy, [key]: v };
  }
  if (pol.hostPageKb !== undefined) {
    if (!HOST_PAGE_SIZES_KB.includes(pol.hostPageKb)) {
      throw new LabFailure('invalid-request', `Host page size must be one of ${HOST_PAGE_SIZES_KB.join(', ')} KB (got ${pol.hostPageKb})`, { field: 'policy.hostPageKb' });
    }
    next.policy = { ...next.policy, hostPageKb: pol.hostPageKb };
  }
  return next;
}

export function fixedReason(s: SprInfo): string {
  switch (s.fixed) {
    case 'guest': return 'it is part of the user register file and always belongs to the guest';
    case 'direct': return 'every guest reads the one physical register directly (time base, cache configuration)';
    case 'hypervisor': return 'it exists only for the hypervisor';
    case 'alias': return `it is another number for ${s.aliasOf}; configure ${s.aliasOf}`;
    default: return 'it is not configurable';
  }
}

/** What a configuration costs: hardware (die bits) and what it leaves to software. */
export interface HwCost {
  /** Bits of guest copies the hardware must hold. */
  dieBits: number;
  duplicated: number;
  shared: number;
  transferred: number;
  trapped: number;
  /** Bytes moved through memory on every entry and on every exit (transfer strategy). */
  transferBytesPerSwitch: number;
  /** Interrupt kinds delivered straight to the guest. */
  directInterrupts: number;
}

export function hwCost(c: HwConfig): HwCost {
  const cost: HwCost = { dieBits: 0, duplicated: 0, shared: 0, transferred: 0, trapped: 0, transferBytesPerSwitch: 0, directInterrupts: 0 };
  for (const s of CONFIGURABLE_SPRS) {
    switch (c.strategies[s.name]) {
      case 'duplicate': cost.duplicated++; cost.dieBits += s.dieBits; break;
      case 'shared': cost.shared++; break;
      case 'transfer': cost.transferred++; cost.transferBytesPerSwitch += s.width / 8; break;
      case 'trap': cost.trapped++; break;
    }
  }
  cost.directInterrupts = INTERRUPT_KINDS.filter((k) => c.direct[k]).length;
  return cost;
}

/** The configuration as the renderer sees it: values, the preset it matches and its cost. */
export interface HwConfigView {
  config: HwConfig;
  preset: PresetId | 'custom';
  cost: HwCost;
}

export function viewOf(c: HwConfig): HwConfigView {
  return { config: cloneHwConfig(c), preset: matchPreset(c), cost: hwCost(c) };
}
