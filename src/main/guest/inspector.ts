// What the inspector shows of one vCPU, read from the machine between
// slices (or while stopped) without disturbing it: registers, every catalog
// SPR with where its guest value lives under the guest's model and
// configuration, the guest's TLB and the shadows the hypervisor installed,
// memory with its disassembly, and an address's translation. Edits of
// registers are validated against their writable bits here. The types are
// in src/shared/debug.ts; the session reaches this through the guest's worker.

import { disassemble } from '../cpu/isa';
import { TLB0_ENTRIES, TLB_ENTRIES, type Tlb, tsizeBytes } from '../cpu/mmu';
import { MAS } from '../cpu/regs';
import type { Cpu } from '../cpu/cpu';
import { GUEST_COPY } from '../cpu/cpu';
import { S_CORE, S_DUPLICATE, S_HYPERVISOR, S_SHARED, S_TRANSFER, S_TRAP, resolveStrategies } from '../hv/strategies';
import { PV, PV_SPRS } from '../hv/pv-page';
import {
  type Breakpoints, checkWritable, type InspectorState, type MemoryView, MEMORY_VIEW_MAX, MSR_WRITABLE, REGISTER_NAMES,
  type SprView, sprWritableBits, type StopInfo, type TlbEntryView, type TlbView, type TranslationView, type ValueHome, hex32,
} from '../../shared/debug';
import { LabFailure } from '../../shared/result';
import { SPR_CATALOG, type SprInfo, sprByName, sprByNumber } from '../../shared/spr';
import type { DebugTarget } from './debug-target';

/** Registers and SPR values at one moment, by name (what "changed since the last stop" compares). */
export type RegisterValues = Map<string, number | string | null>;

/** SPRs shown (aliases and the user register file are shown through their registers). */
const SHOWN: readonly SprInfo[] = SPR_CATALOG.filter((s) => !s.aliasOf && s.fixed !== 'guest');

/**
 * Runs `read` at the current instruction boundary as the core's own code
 * would: the time base counted to this instruction, and no trace of a fault
 * left behind (a read of a register the core lacks throws FAULT).
 */
function atBoundary<T>(cpu: Cpu, read: () => T): T | null {
  const { sliceStart, sliceLeft, faultIvor, faultEsr, faultDear, faultTlbMiss } = cpu;
  cpu.sliceStart = 0;
  cpu.sliceLeft = 0;
  try {
    return read();
  } catch {
    return null;
  } finally {
    Object.assign(cpu, { sliceStart, sliceLeft, faultIvor, faultEsr, faultDear, faultTlbMiss });
  }
}

function sprName(n: number): string {
  return sprByNumber(n)?.name ?? `SPR${n}`;
}

/** Where SPR s's guest value lives, and the SPR number that holds it. */
function homeOf(s: SprInfo, code: number, hosted: boolean, sharedSave: 'exit' | 'switch'): { home: ValueHome; where: string; holder: number } {
  if (s.fixed === 'hypervisor') return { home: 'hypervisor', where: 'the hypervisor\'s own register', holder: s.num };
  if (s.fixed === 'direct' || code === S_CORE) return { home: hosted ? 'core' : 'physical', where: hosted ? 'read directly by the guest' : 'the core\'s register', holder: s.num };
  if (!hosted) return { home: 'physical', where: 'the core\'s register (no hypervisor)', holder: s.num };
  const copy = GUEST_COPY[s.num]!;
  const holder = copy !== 0 ? copy : s.num;
  switch (code) {
    case S_DUPLICATE:
      return { home: 'guest-copy', where: copy !== 0 ? `hardware copy ${sprName(copy)}` : 'hardware guest copy (hypothetical)', holder };
    case S_SHARED:
      return { home: 'physical', where: sharedSave === 'exit' ? 'physical register, saved and restored on every exit' : 'physical register, switched on a vCPU switch', holder };
    case S_TRANSFER:
      return { home: 'transfer', where: 'memory image, loaded on every entry and saved on every exit', holder };
    case S_TRAP:
      return { home: 'shadow', where: copy !== 0 ? `hypervisor's shadow (kept in ${sprName(copy)} for delivery)` : 'hypervisor\'s shadow (every access exits)', holder };
    case S_HYPERVISOR:
      return { home: 'hypervisor', where: 'the hypervisor\'s own register', holder: s.num };
    default:
      return { home: 'core', where: 'the core\'s register', holder: s.num };
  }
}

const PID_SPR = 48;

/**
 * Trap-and-emulate: there are no guest copies; the hypervisor emulates every
 * privileged register (its value stays in the core's register, or for PID in
 * the hypervisor, since the real PID holds a shadow ID), except those the
 * guest keeps in its paravirtual page when it uses one.
 */
function homeWithoutHardware(s: SprInfo, code: number, inPage: boolean): { home: ValueHome; where: string } {
  if (s.fixed === 'hypervisor' || code === S_HYPERVISOR) return { home: 'hypervisor', where: 'the hypervisor\'s own register (the guest\'s core has none)' };
  if (code !== S_TRAP) return { home: 'core', where: 'read directly by the guest (user level)' };
  if (inPage) return { home: 'transfer', where: 'the paravirtual page: guest loads and stores, no exit' };
  if (s.num === PID_SPR) return { home: 'shadow', where: 'the hypervisor (the real PID holds the shadow address space\'s ID); every access traps' };
  return { home: 'shadow', where: 'emulated by the hypervisor: every kernel access traps (no virtualization hardware)' };
}

/** Trap-and-emulate: where SPR n's value is in the paravirtual page (byte address), or -1. */
function pageSlot(target: DebugTarget, n: number): number {
  const pv = target.hypervisor.paravirtPage;
  if (pv === null || !pv.enabled) return -1;
  const i = PV_SPRS.indexOf(n);
  return i < 0 ? -1 : pv.pa + PV.SPRS + 4 * i;
}

/** Every catalog SPR with its guest value and where it lives. */
export function sprViews(target: DebugTarget): SprView[] {
  const cpu = target.core;
  const hv = target.hypervisor;
  const model = hv.options.model;
  if (cpu.deprivileged) {
    const resolved = resolveStrategies(model, hv.config.hw);
    return SHOWN.map((s) => {
      const slot = pageSlot(target, s.num);
      const { home, where } = homeWithoutHardware(s, resolved.bySpr[s.num]!, slot >= 0);
      const value = s.access === 'wo' || home === 'hypervisor' ? null
        : slot >= 0 ? cpu.bus.readRam(slot, 4) >>> 0
        : s.num === PID_SPR ? hv.guestTlb!.guestPid
        : atBoundary(cpu, () => cpu.readSpr(s.num) >>> 0);
      return { name: s.name, num: s.num, value, home, where, writable: home === 'hypervisor' ? 0 : sprWritableBits(s) };
    });
  }
  const hosted = model !== 'native';
  const { hw } = hv.config;
  const resolved = resolveStrategies(model, hw);
  return SHOWN.map((s) => {
    const { home, where, holder } = homeOf(s, resolved.bySpr[s.num]!, hosted, hw.policy.sharedSave);
    const value = s.access === 'wo' || (home === 'hypervisor' && hosted) ? null : atBoundary(cpu, () => cpu.readSpr(holder) >>> 0);
    return { name: s.name, num: s.num, value, home, where, writable: home === 'hypervisor' && hosted ? 0 : sprWritableBits(s) };
  });
}

/** The values "changed since the last stop" compares. */
export function registerValues(state: Pick<InspectorState, 'pc' | 'msr' | 'cr' | 'xer' | 'lr' | 'ctr' | 'gpr' | 'fprHex' | 'fpscr' | 'sprs'>): RegisterValues {
  const v: RegisterValues = new Map();
  state.gpr.forEach((x, i) => v.set(`r${i}`, x));
  state.fprHex.forEach((x, i) => v.set(`f${i}`, x));
  for (const k of ['pc', 'msr', 'cr', 'xer', 'lr', 'ctr', 'fpscr'] as const) v.set(k, state[k]);
  for (const s of state.sprs) v.set(s.name, s.value);
  return v;
}

export function inspectorState(target: DebugTarget, running: boolean, stop: StopInfo | null, previous: RegisterValues | null, breakpoints: Breakpoints): InspectorState {
  const cpu = target.core;
  const f = cpu.fpu.f;
  const fprHex: string[] = [];
  const bytes = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 32; i++) {
    bytes.setFloat64(0, f[i]!);
    fprHex.push(bytes.getUint32(0).toString(16).padStart(8, '0') + bytes.getUint32(4).toString(16).padStart(8, '0'));
  }
  const base = {
    pc: cpu.pc >>> 0, msr: cpu.guestMsr() >>> 0, cr: cpu.cr >>> 0, xer: cpu.xer >>> 0, lr: cpu.lr >>> 0, ctr: cpu.ctr >>> 0,
    gpr: Array.from(cpu.gpr, (x) => x >>> 0), fprHex, fpscr: cpu.fpu.fpscr >>> 0, sprs: sprViews(target),
  };
  const now = registerValues(base);
  const changed = previous === null ? [] : [...now].filter(([k, x]) => previous.has(k) && previous.get(k) !== x).map(([k]) => k);
  return {
    vcpu: target.vcpu, running, stop, model: target.hypervisor.options.model, insns: cpu.insns,
    ...base, ...(cpu.deprivileged ? { realMsr: cpu.msr >>> 0 } : {}), fpr: Array.from(f), changed, breakpoints,
  };
}

/**
 * Sets a register of a stopped vCPU: r0-r31, f0-f31 (a number), pc, msr, cr,
 * xer, lr, ctr, fpscr, or a catalog SPR by name (its guest value, where it
 * lives). Throws a LabFailure naming what is wrong.
 */
export function writeRegister(target: DebugTarget, name: string, value: number): void {
  const cpu = target.core;
  const lower = name.toLowerCase();
  if (!Number.isFinite(value)) throw new LabFailure('invalid-request', `${name}: the value must be a finite number`, { field: 'value' });
  if (REGISTER_NAMES.includes(lower)) {
    if (lower.startsWith('f') && lower !== 'fpscr') {
      cpu.fpu.f[Number(lower.slice(1))] = value;
      return;
    }
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0xFFFFFFFF) {
      throw new LabFailure('invalid-request', `${name} holds 32 bits; ${value} does not fit`, { field: 'value' });
    }
    const v = value >>> 0;
    if (lower === 'msr') checkWritable('MSR', v, MSR_WRITABLE);
    if (lower === 'pc' && (v & 3) !== 0) throw new LabFailure('invalid-request', `pc must be word-aligned (0x${v.toString(16)})`, { field: 'value' });
    if (lower.startsWith('r')) {
      cpu.gpr[Number(lower.slice(1))] = v | 0;
      return;
    }
    const numbers: Record<string, number> = { pc: 64, msr: 65, cr: 66, lr: 67, ctr: 68, xer: 69, fpscr: 70 };
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, v);
    target.writeRegister(numbers[lower]!, bytes);
    return;
  }
  const s = sprByName(name);
  if (!s) throw new LabFailure('invalid-request', `Unknown register "${name}": use r0-r31, f0-f31, pc, msr, cr, xer, lr, ctr, fpscr or an SPR name`, { field: 'name' });
  if (s.fixed === 'guest') return writeRegister(target, s.name, value);
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xFFFFFFFF) {
    throw new LabFailure('invalid-request', `${s.name} holds 32 bits; ${value} does not fit`, { field: 'value' });
  }
  const view = sprViews(target).find((x) => x.name === (s.aliasOf ?? s.name));
  if (!view) throw new LabFailure('invalid-request', `${s.name} cannot be edited`, { field: 'name' });
  checkWritable(s.name, value >>> 0, view.writable);
  const hosted = target.hypervisor.options.model !== 'native';
  if (cpu.deprivileged) {
    const gtlb = target.hypervisor.guestTlb!;
    if (s.num === PID_SPR) {
      gtlb.guestPid = value & 0xFF;
      gtlb.switchContext();
      return;
    }
    const slot = pageSlot(target, s.num);
    if (slot >= 0) cpu.bus.writeRam(slot, 4, value | 0);
  }
  const holder = hosted && !cpu.deprivileged && GUEST_COPY[s.num] !== 0 ? GUEST_COPY[s.num]! : s.num;
  const ok = atBoundary(cpu, () => {
    cpu.writeSpr(holder, value | 0);
    return true;
  });
  if (ok === null) throw new LabFailure('invalid-request', `${s.name} cannot be written on this core`, { field: 'name' });
}

const PERMS: readonly [number, string][] = [[MAS.SR, 'SR'], [MAS.SW, 'SW'], [MAS.SX, 'SX'], [MAS.UR, 'UR'], [MAS.UW, 'UW'], [MAS.UX, 'UX']];

function entryView(tlb: Tlb, i: number): TlbEntryView {
  const m1 = tlb.mas1[i]!;
  const m2 = tlb.mas2[i]!;
  const m3 = tlb.mas3[i]!;
  const size = i < TLB0_ENTRIES ? 4096 : tsizeBytes((m1 & MAS.TSIZE_MASK) >>> MAS.TSIZE_SHIFT);
  const wimge = ['W', 'I', 'M', 'G', 'E'].filter((_, k) => (m2 & (0x10 >>> k)) !== 0).join('');
  return {
    tlb: i < TLB0_ENTRIES ? 0 : 1,
    index: i < TLB0_ENTRIES ? i : i - TLB0_ENTRIES,
    epn: (m2 & MAS.EPN_MASK) >>> 0,
    rpn: (tlb.mas7[i]! & 0xF) * 0x100000000 + ((m3 & MAS.RPN_MASK) >>> 0),
    size,
    ts: (m1 & MAS.TS) !== 0 ? 1 : 0,
    tid: (m1 & MAS.TID_MASK) >>> MAS.TID_SHIFT,
    iprot: (m1 & MAS.IPROT) !== 0,
    perms: PERMS.filter(([bit]) => (m3 & bit) !== 0).map(([, n]) => n).join(' '),
    wimge,
  };
}

export function tlbView(target: DebugTarget): TlbView {
  const cpu = target.core;
  const gtlb = target.hypervisor.guestTlb;
  const guestTlb = gtlb !== null ? gtlb.tlb : cpu.tlb;
  const guest: TlbEntryView[] = [];
  const shadow: TlbEntryView[] = [];
  const lpid = target.hypervisor.options.lpid;
  for (let i = 0; i < TLB_ENTRIES; i++) {
    if (guestTlb.mas1[i]! < 0) guest.push(entryView(guestTlb, i));
    if (gtlb === null || cpu.tlb.mas1[i]! >= 0) continue;
    const m8 = cpu.tlb.mas8[i]!;
    const owner = gtlb.shadowOf(i);
    if (gtlb.taggedByShadowId ? owner < 0 : (m8 & MAS.TGS) === 0 || (m8 & MAS.TLPID_MASK) !== lpid) continue;
    shadow.push({
      ...entryView(cpu.tlb, i), tgs: (m8 & MAS.TGS) !== 0, tlpid: m8 & MAS.TLPID_MASK,
      shadows: owner < 0 ? null : { tlb: owner < TLB0_ENTRIES ? 0 : 1, index: owner < TLB0_ENTRIES ? owner : owner - TLB0_ENTRIES },
    });
  }
  return { vcpu: target.vcpu, guest, shadow, pid: gtlb !== null ? gtlb.currentPid() : cpu.pid, lpid: gtlb !== null && !gtlb.taggedByShadowId ? lpid : cpu.lpid };
}

export function translate(target: DebugTarget, address: number, fetch: boolean): TranslationView {
  const cpu = target.core;
  const ea = address | 0;
  const as = (cpu.msr & (fetch ? 0x20 : 0x10)) !== 0 ? 1 : 0;
  const gtlb = target.hypervisor.guestTlb;
  const tlb = gtlb !== null ? gtlb.tlb : cpu.tlb;
  const pid = gtlb !== null ? gtlb.currentPid() : cpu.pid;
  const i = tlb.lookup(ea, as, pid, 0, 0);
  const kind = fetch ? 'fetch' : 'data access';
  if (i < 0) {
    return { address: address >>> 0, fetch, physical: null, entry: null, shadowed: gtlb !== null ? false : null,
      text: `${hex32(address)}: no ${gtlb !== null ? 'guest ' : ''}TLB entry maps a ${kind} in AS${as} with PID ${pid}` };
  }
  const pa = tlb.physical(i, ea);
  const entry = { tlb: (i < TLB0_ENTRIES ? 0 : 1) as 0 | 1, index: i < TLB0_ENTRIES ? i : i - TLB0_ENTRIES };
  let shadowed: boolean | null = null;
  if (gtlb !== null) shadowed = gtlb.taggedByShadowId ? cpu.tlb.lookup(ea, as, cpu.pid, 0, 0) >= 0 : cpu.tlb.lookup(ea, as, cpu.pid, 1, target.hypervisor.options.lpid) >= 0;
  const where = `TLB${entry.tlb}[${entry.index}]`;
  const shadowText = shadowed === null ? '' : shadowed ? '; a shadow entry maps it in hardware' : '; no shadow yet (the next access is a virtual miss)';
  return { address: address >>> 0, fetch, physical: pa, entry, shadowed, text: `${hex32(address)} -> ${pa.toString(16).padStart(9, '0')} through ${where} (AS${as}, PID ${pid})${shadowText}` };
}

export function memoryView(target: DebugTarget, address: number, length: number, space: 'virtual' | 'physical'): MemoryView {
  if (!Number.isInteger(length) || length < 1 || length > MEMORY_VIEW_MAX) {
    throw new LabFailure('invalid-request', `length must be 1-${MEMORY_VIEW_MAX} bytes (got ${length})`, { field: 'length' });
  }
  const bus = target.machine.bus;
  const data = new Uint8Array(length);
  const readable = new Uint8Array(length);
  const start = address >>> 0;
  for (let k = 0; k < length; k++) {
    const ea = (start + k) >>> 0;
    const pa = space === 'physical' ? ea : target.physical(ea | 0);
    if (pa < 0 || pa >= bus.ramSize) continue;
    data[k] = bus.readRam(pa, 1);
    readable[k] = 1;
  }
  const lines = [];
  for (let k = (4 - (start & 3)) & 3; k + 4 <= length; k += 4) {
    const at = (start + k) >>> 0;
    const ok = readable[k]! & readable[k + 1]! & readable[k + 2]! & readable[k + 3]!;
    const word = ok ? ((data[k]! << 24) | (data[k + 1]! << 16) | (data[k + 2]! << 8) | data[k + 3]!) >>> 0 : null;
    lines.push({ address: at, word, disassembly: word === null ? '' : disassemble(word | 0, at) });
  }
  return {
    vcpu: target.vcpu, address: start, space,
    data: Buffer.from(data).toString('base64'), readable: Buffer.from(readable).toString('base64'), lines,
  };
}

/** A one-line account of a stop, for people. */
export function describeStop(kind: StopInfo['kind'], pc: number, detail?: { spr?: StopInfo['spr']; exit?: StopInfo['exit']; text?: string }): string {
  switch (kind) {
    case 'pause': return `paused at ${hex32(pc)}`;
    case 'step': return `stepped to ${hex32(pc)}`;
    case 'breakpoint': return `breakpoint at ${hex32(pc)}`;
    case 'spr': {
      const w = detail!.spr!;
      return w.write ? `in front of mtspr ${w.name} (writing ${hex32(w.value ?? 0)}) at ${hex32(pc)}` : `in front of mfspr ${w.name} at ${hex32(pc)}`;
    }
    case 'exit': return `after ${detail!.exit!.reason} at ${hex32(detail!.exit!.pc)}; resumes at ${hex32(pc)}`;
    case 'gdb': return `stopped for GDB at ${hex32(pc)}`;
    case 'ended': return detail?.text ?? 'the guest ended';
  }
}
